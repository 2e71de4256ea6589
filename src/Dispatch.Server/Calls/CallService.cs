using System.Diagnostics;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Clinical;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Calls;

/// <summary>A press's outcome: the call, and whether it was already open (announced again) rather than new.</summary>
public sealed record RaisedCall(CallView Call, bool Repeated);

/// <summary>
/// Every change to a call: one transaction that writes the call, its outbox event and its audit
/// row, retried as a whole on deadlock. A <see cref="RefusedException"/> rolls it back.
/// </summary>
public sealed class CallService(
    MySqlDataSource dataSource,
    Transactions transactions,
    DispatchMetrics metrics,
    KeyGuesses guesses,
    IOptions<EscalationOptions> escalation)
{
    /// <summary>
    /// A press at the bed: a new call, or, while the bed has an unresolved call of this kind, that
    /// call announced again (<see cref="RaisedCall.Repeated"/>). A higher kind is a call of its own.
    /// With an <paramref name="idempotencyKey"/> that already raised a call at the bed, that call
    /// as it stands, and nothing else happens: the device is repeating a press it got no answer to.
    /// </summary>
    public async Task<RaisedCall> RaiseAsync(int bedId, string kind, BedCredential credential, string? idempotencyKey, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var call = await RaiseInTransactionAsync(bedId, kind, credential, idempotencyKey, ct);
            metrics.AssignSucceeded(Stopwatch.GetElapsedTime(started));
            return call;
        }
        catch (Exception e) when (DatabaseFailures.IsDeadlock(e) || DatabaseFailures.IsUnavailable(e))
        {
            metrics.AssignFailed();
            throw;
        }
    }

    private Task<RaisedCall> RaiseInTransactionAsync(int bedId, string kind, BedCredential credential, string? idempotencyKey, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var bed = await CallRecords.LockBedAsync(tx, bedId, token);
            var caller = await BedsideAuthentication.AuthenticateAsync(tx, bed, credential, guesses, token);
            if (caller.ActorType == AuditLog.Patient && !CallKindRules.MayBeRaisedByPatient(kind))
            {
                throw RefusedException.Forbidden($"A patient tablet may raise '{CallKinds.Normal}' or '{CallKinds.Bath}' calls, not '{kind}'.");
            }
            if (idempotencyKey is not null && await tx.Connection!.QuerySingleOrDefaultAsync<KeyedCallRow>(new CommandDefinition(
                    CallQueries.CallOfIdempotencyKey, new { BedId = bedId, IdempotencyKey = idempotencyKey }, tx, cancellationToken: token)) is { } earlier)
            {
                return earlier.Kind == kind
                    ? new RaisedCall(await CallRecords.ReadViewAsync(tx, earlier.Id, token), Repeated: true)
                    : throw RefusedException.Conflict(
                        $"Idempotency-Key '{idempotencyKey}' raised a '{earlier.Kind}' call at this bed; a new press needs a new key.");
            }
            var open = await tx.Connection!.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                CallQueries.OpenCallOfBedAndKind, new { BedId = bedId, Kind = kind }, tx, cancellationToken: token));
            return open is { } callId
                ? new RaisedCall(await RepeatAsync(tx, callId, caller, token), Repeated: true)
                : new RaisedCall(await InsertAssignAndAnnounceAsync(tx, bed, kind, caller, token, idempotencyKey), Repeated: false);
        }, ct);

    /// <summary>The bed pressed again: the same call, announced to the ward again with its count of presses.</summary>
    private static async Task<CallView> RepeatAsync(MySqlTransaction tx, long callId, BedsideCaller caller, CancellationToken token)
    {
        await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.Repeat, new { CallId = callId }, tx, cancellationToken: token));
        var view = await CallRecords.ReadViewAsync(tx, callId, token);
        await OutboxWriter.AppendAsync(tx, EventTypes.CallRepeated, view, token);
        await AuditLog.AppendAsync(tx, caller.ActorType, caller.ActorId, "call_repeated", callId, $"press {view.RepeatCount + 1} while {view.Status}", token);
        return view;
    }

    /// <summary>The call, its assignment, its outbox event and its audit row, in the caller's transaction.</summary>
    private async Task<CallView> InsertAssignAndAnnounceAsync(
        MySqlTransaction tx, BedRow bed, string kind, BedsideCaller caller, CancellationToken token, string? idempotencyKey = null)
    {
        var callId = await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(CallQueries.InsertCall, new
        {
            bed.BedId,
            bed.WardId,
            Kind = kind,
            Priority = CallKindRules.BasePriority(kind),
            RaisedBy = caller.ActorType,
            EscalationSeconds = escalation.Value.SecondsTo(kind, 1),
            IdempotencyKey = idempotencyKey,
        }, tx, cancellationToken: token));
        var assignee = await tx.Connection!.QuerySingleAsync<int?>(new CommandDefinition(
            CallQueries.AssignToNextNurse, new { CallId = callId }, tx, cancellationToken: token));

        if (assignee is not null)
        {
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.RecordFirstAssignee,
                new { CallId = callId, StaffId = assignee }, tx, cancellationToken: token));
        }
        var view = await CallRecords.ReadViewAsync(tx, callId, token);
        await OutboxWriter.AppendAsync(tx, EventTypes.CallRaised, view, token);
        await PageRouting.AppendAsync(tx, view, token);
        await AuditLog.AppendAsync(tx, caller.ActorType, caller.ActorId, "call_raised", callId,
            $"kind {kind}, assigned to {(assignee is null ? "nobody on duty" : $"staff {assignee}")}", token);
        return view;
    }

    /// <summary>
    /// A bed device silent past its bound: a "trouble" call (the lowest band) at its bed, raised by
    /// the system, once per silence. Null when another node raised it or the device is back.
    /// </summary>
    public Task<CallView?> RaiseDeviceTroubleAsync(int deviceId, int silentSeconds, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var device = await tx.Connection!.QuerySingleOrDefaultAsync<SilentDeviceRow>(new CommandDefinition(
                CallQueries.LockSilentDevice, new { DeviceId = deviceId, SilentSeconds = silentSeconds }, tx, cancellationToken: token));
            if (device is null)
            {
                return null;
            }
            var bed = await CallRecords.FindBedAsync(tx, device.BedId, token);
            var call = await InsertAssignAndAnnounceAsync(tx, bed, CallKinds.Trouble, new BedsideCaller(AuditLog.System, deviceId), token);
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.SetTroubleCall,
                new { DeviceId = deviceId, CallId = call.Id }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.System, deviceId, "device_silent", call.Id,
                $"bed device {deviceId} silent for more than {silentSeconds} s", token);
            return (CallView?)call;
        }, ct);

    public Task<CallView> AcknowledgeAsync(long callId, StaffUser nurse, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var call = await CallRecords.LockForStaffAsync(tx, callId, nurse, token);
            if (call.Status != CallStatuses.Open)
            {
                throw RefusedException.Conflict($"Call {callId} is {call.Status}; only an open call can be acknowledged.", RefusalCodes.CallNotOpen);
            }
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.Accept,
                new { CallId = callId, nurse.StaffId }, tx, cancellationToken: token));

            var view = await CallRecords.ReadViewAsync(tx, callId, token);
            await OutboxWriter.AppendAsync(tx, EventTypes.CallAccepted, view, token);
            await AuditLog.AppendAsync(tx, AuditLog.Staff, nurse.StaffId, "call_accepted", callId, null, token);
            return view;
        }, ct);

    /// <summary>The bed device or the patient clears the call at the bedside; any kind, code calls included.</summary>
    public Task<CallView> CancelAtBedsideAsync(long callId, BedCredential credential, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            // The caller's credentials first: a request that cannot cancel must not hold up the
            // call's row (the ward's acknowledge, the escalation sweep) while it is turned away.
            var bed = await tx.Connection!.QuerySingleOrDefaultAsync<BedRow>(new CommandDefinition(
                CallQueries.BedOfCall, new { CallId = callId }, tx, cancellationToken: token))
                ?? throw RefusedException.NotFound($"Call {callId} does not exist.", RefusalCodes.CallNotFound);
            var caller = await BedsideAuthentication.AuthenticateAsync(tx, bed, credential, guesses, token);
            var call = await CallRecords.LockAsync(tx, callId, token);
            if (!call.IsUnresolved)
            {
                // Cleared already (a cancel sent again after a lost answer, or presence got there
                // first): the call as it stands, and nothing else happens.
                return await CallRecords.ReadViewAsync(tx, callId, token);
            }
            return await CallRecords.ResolveAsync(tx, call, caller.ActorType, caller.ActorType, caller.ActorId, presentStaffId: null, token);
        }, ct);

    /// <summary>
    /// A nurse registered in the room (badge at the bed device). Clears the bed's open calls except
    /// code and emergency calls, which stay until cleared at the device.
    /// </summary>
    public Task<PresenceResult> RegisterPresenceAsync(int bedId, int staffId, string? deviceKey, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var bed = await CallRecords.FindBedAsync(tx, bedId, token);
            var device = await BedsideAuthentication.AuthenticateAsync(tx, bed, new BedCredential(deviceKey, Nonce: null), guesses, token);
            var staffExists = await tx.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(
                CallQueries.StaffExists, new { StaffId = staffId }, tx, cancellationToken: token));
            if (staffExists == 0)
            {
                throw RefusedException.NotFound($"Staff member {staffId} does not exist.");
            }

            var open = (await tx.Connection!.QueryAsync<CallLockRow>(new CommandDefinition(
                CallQueries.LockOpenCallsOfBed, new { BedId = bedId }, tx, cancellationToken: token))).ToList();
            await tx.Connection!.ExecuteAsync(new CommandDefinition(
                CallQueries.RecordPresence, new { BedId = bedId, StaffId = staffId }, tx, cancellationToken: token));
            var resolved = new List<CallView>();
            var stillOpen = new List<CallView>();
            foreach (var call in open)
            {
                if (CallKindRules.IsClearedByPresence(call.Kind))
                {
                    resolved.Add(await CallRecords.ResolveAsync(tx, call, "presence", AuditLog.Staff, staffId, staffId, token));
                }
                else
                {
                    // The ward's screens show who is in the room with the code blue, and since when.
                    var view = await CallRecords.ReadViewAsync(tx, call.Id, token);
                    await OutboxWriter.AppendAsync(tx, EventTypes.NursePresent, view, token);
                    stillOpen.Add(view);
                }
            }
            await AuditLog.AppendAsync(tx, AuditLog.Device, device.ActorId, "nurse_presence", null,
                $"staff {staffId} at bed {bedId}; cleared {resolved.Count}, left open {stillOpen.Count}", token);
            return new PresenceResult(resolved, stillOpen);
        }, ct);

    public async Task<IReadOnlyList<CallView>> ListOpenAsync(int wardId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallViewRow>(new CommandDefinition(
            CallQueries.OpenCallsOfWard, new { WardId = wardId }, cancellationToken: ct));
        return rows.Select(r => r.ToView()).ToList();
    }

    public async Task<IReadOnlyList<CallView>> ListForStaffAsync(int staffId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallViewRow>(new CommandDefinition(
            CallQueries.OpenCallsForStaff, new { StaffId = staffId }, cancellationToken: ct));
        return rows.Select(r => r.ToView()).ToList();
    }

    /// <summary>Calls raised and not yet acknowledged, in every ward (the pending_calls_count gauge).</summary>
    public async Task<double> CountPendingAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(CallQueries.CountPending, cancellationToken: ct));
    }
}
