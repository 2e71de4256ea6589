using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Calls;

/// <summary>
/// The call rows that every use case reads and locks, inside the caller's transaction: a bed, a
/// call under its row lock, a call as stations show it, and a call cleared at the bedside.
/// </summary>
internal static class CallRecords
{
    public static async Task<BedRow> FindBedAsync(MySqlTransaction tx, int bedId, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<BedRow>(new CommandDefinition(
            CallQueries.FindBed, new { BedId = bedId }, tx, cancellationToken: ct))
        ?? throw RefusedException.NotFound($"Bed {bedId} does not exist.");

    /// <summary>The bed, locked for the transaction: raises at one bed, from any node, take turns.</summary>
    public static async Task<BedRow> LockBedAsync(MySqlTransaction tx, int bedId, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<BedRow>(new CommandDefinition(
            CallQueries.LockBed, new { BedId = bedId }, tx, cancellationToken: ct))
        ?? throw RefusedException.NotFound($"Bed {bedId} does not exist.");

    public static async Task<CallLockRow> LockAsync(MySqlTransaction tx, long callId, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<CallLockRow>(new CommandDefinition(
            CallQueries.LockCall, new { CallId = callId }, tx, cancellationToken: ct))
        ?? throw RefusedException.NotFound($"Call {callId} does not exist.", RefusalCodes.CallNotFound);

    /// <summary>The call, locked, if the staff member may act on it: their ward's, or assigned to them (an escalation from another ward).</summary>
    public static async Task<CallLockRow> LockForStaffAsync(MySqlTransaction tx, long callId, StaffUser staff, CancellationToken ct)
    {
        var call = await LockAsync(tx, callId, ct);
        if (!staff.MayActOnWard(call.WardId) && call.AssignedStaffId != staff.StaffId)
        {
            throw RefusedException.Forbidden($"Call {callId} belongs to another ward.", RefusalCodes.NotYourWard);
        }
        return call;
    }

    /// <summary>The call as stations show it.</summary>
    public static async Task<CallView> ReadViewAsync(MySqlTransaction tx, long callId, CancellationToken ct) =>
        (await tx.Connection!.QuerySingleAsync<CallViewRow>(new CommandDefinition(
            CallQueries.ViewById, new { CallId = callId }, tx, cancellationToken: ct))).ToView();

    /// <summary>Clears the call (its event and audit row too); <paramref name="resolvedBy"/> says how it was cleared at the bedside.</summary>
    public static async Task<CallView> ResolveAsync(
        MySqlTransaction tx, CallLockRow call, string resolvedBy, string actorType, long? actorId, int? presentStaffId, CancellationToken ct)
    {
        await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.Resolve,
            new { CallId = call.Id, ResolvedBy = resolvedBy, PresentStaffId = presentStaffId }, tx, cancellationToken: ct));
        var view = await ReadViewAsync(tx, call.Id, ct);
        await OutboxWriter.AppendAsync(tx, EventTypes.CallResolved, view, ct);
        await AuditLog.AppendAsync(tx, actorType, actorId, "call_resolved", call.Id, $"by {resolvedBy}", ct);
        return view;
    }
}
