using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Calls;
using Dispatch.Server.Clinical;
using Dispatch.Server.Infrastructure;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Escalation;

/// <summary>A call locked for escalation, as the sweep or a reject found it (EscalationLevel is the TINYINT column).</summary>
public sealed record EscalatingCall(long Id, int WardId, string Kind, sbyte EscalationLevel, int? AssignedStaffId);

/// <summary>
/// Moves a call one step up the <see cref="EscalationLadder"/>, inside the caller's transaction:
/// the new recipient and priority, the next deadline, one outbox event, the recipient's page and one audit row.
/// Used by the sweep (deadline passed) and by reject (at once).
/// </summary>
public sealed class CallEscalator(IOptions<EscalationOptions> options)
{
    public async Task<CallView> EscalateAsync(MySqlTransaction tx, EscalatingCall call, string trigger, int? excludeStaffId, CancellationToken ct)
    {
        var level = call.EscalationLevel + 1;
        var recipient = await RecipientAsync(tx, level, call.WardId, excludeStaffId, ct);
        var conn = tx.Connection!;
        await conn.ExecuteAsync(new CommandDefinition(EscalationQueries.Escalate, new
        {
            CallId = call.Id,
            Level = level,
            Priority = CallKindRules.BasePriority(call.Kind) + EscalationLadder.PriorityBump(level),
            RecipientId = recipient,
            NextSeconds = level < EscalationLadder.TopLevel ? options.Value.SecondsTo(call.Kind, level + 1) : (int?)null,
        }, tx, cancellationToken: ct));
        if (recipient is not null)
        {
            await conn.ExecuteAsync(new CommandDefinition(EscalationQueries.MarkAssigned, new { RecipientId = recipient }, tx, cancellationToken: ct));
        }

        var view = await CallRecords.ReadViewAsync(tx, call.Id, ct);
        await OutboxWriter.AppendAsync(tx, EventTypes.CallEscalated, view, ct);
        await PageRouting.AppendAsync(tx, view, ct);
        await AuditLog.AppendAsync(tx, AuditLog.System, null, EscalationLadder.AuditAction(level), call.Id,
            $"{trigger}; to {(recipient is null ? "nobody on duty (assignee kept)" : $"staff {recipient}")}", ct);
        return view;
    }

    private static Task<int?> RecipientAsync(MySqlTransaction tx, int level, int wardId, int? excludeStaffId, CancellationToken ct)
    {
        var sql = level switch
        {
            1 => EscalationQueries.Level1Recipient,
            2 => EscalationQueries.Level2Recipient,
            _ => EscalationQueries.Level3Recipient,
        };
        return tx.Connection!.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            sql, new { WardId = wardId, ExcludeStaffId = excludeStaffId }, tx, cancellationToken: ct));
    }
}
