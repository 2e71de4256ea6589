using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>
/// A ward with open calls and no station watching it anywhere in the cluster is reported to its
/// department's managers and to administration (hub message WardUnwatched), written to the audit
/// log and counted. The cluster's lead checks (from every node's heartbeat row); a row in
/// ward_alerts makes exactly one node report each ward, once per repeat interval, also around a
/// change of lead.
/// </summary>
public sealed partial class WardSupervision(
    MySqlDataSource dataSource,
    IClientGroups clients,
    DispatchMetrics metrics,
    IOptions<SupervisionOptions> options,
    ClusterLead lead,
    TimeProvider time,
    ILogger<WardSupervision> logger) : PeriodicDatabaseWork(time, logger, lead)
{
    private sealed record UnwatchedWard(int WardId, string WardName, long OpenCalls);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var wards = (await conn.QueryAsync<UnwatchedWard>(new CommandDefinition(
            SupervisionQueries.UnwatchedWards, new { options.Value.RepeatSeconds }, cancellationToken: ct))).ToList();
        foreach (var ward in wards)
        {
            var alert = new WardAlert(ward.WardId, ward.WardName, ward.OpenCalls,
                $"Ward {ward.WardName} has {ward.OpenCalls} open call(s) and no nurse station connected.");
            var recipients = await ClaimAsync(conn, ward.WardId, alert, ct);
            if (recipients is null)
            {
                continue;
            }
            await Task.WhenAll(recipients.Select(id => clients.Staff(id).WardUnwatched(alert)));
            metrics.WardUnwatched();
            Log.Unwatched(logger, ward.WardId, ward.OpenCalls);
        }
    }

    /// <summary>Claims this report for this node (first, or once the repeat interval passed) and audits it; null when another node has it.</summary>
    private async Task<IReadOnlyList<int>?> ClaimAsync(MySqlConnection conn, int wardId, WardAlert alert, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        var claim = new { WardId = wardId, options.Value.RepeatSeconds };
        var ours = await conn.ExecuteAsync(new CommandDefinition(SupervisionQueries.ClaimFirstAlert, claim, tx, cancellationToken: ct)) == 1
            || await conn.ExecuteAsync(new CommandDefinition(SupervisionQueries.ClaimRepeatAlert, claim, tx, cancellationToken: ct)) == 1;
        if (!ours)
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        await AuditLog.AppendAsync(tx, AuditLog.System, null, "ward_unwatched", null, alert.Message, ct);
        var recipients = (await conn.QueryAsync<int>(new CommandDefinition(SupervisionQueries.Recipients, new { WardId = wardId }, tx, cancellationToken: ct))).ToList();
        await tx.CommitAsync(ct);
        return recipients;
    }

    private static partial class Log
    {
        [LoggerMessage(1800, LogLevel.Warning, "Ward {WardId} has {OpenCalls} open call(s) and no connected station; managers alerted")]
        public static partial void Unwatched(ILogger logger, int wardId, long openCalls);
    }
}
