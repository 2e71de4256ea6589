using System.Diagnostics;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Clinical;
using Dispatch.Server.Errors;
using Dispatch.Server.Escalation;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;
using Microsoft.Extensions.Options;
using MySqlConnector;
using Polly;
using Polly.Registry;

namespace Dispatch.Server.Calls;

/// <summary>What proves that a request comes from the bedside: the bed device's key or a patient's one-time nonce.</summary>
public sealed record BedCredential(string? DeviceKey, string? Nonce);

public sealed record PresenceResult(IReadOnlyList<CallView> Resolved, IReadOnlyList<CallView> StillOpen);

public sealed record PatientSession(string Nonce, DateTimeOffset ExpiresAt);

/// <summary>
/// Every change to a call: one transaction that writes the call, its outbox event and its audit
/// row, retried as a whole on deadlock. A <see cref="RefusedException"/> rolls it back.
/// </summary>
public sealed class CallService(
    MySqlDataSource dataSource,
    ResiliencePipelineProvider<string> pipelines,
    OutboxSignal outboxSignal,
    CallEscalator escalator,
    DispatchMetrics metrics,
    IOptions<EscalationOptions> escalation,
    IOptions<StaffSessionOptions> sessions)
{
    private readonly ResiliencePipeline _deadlockRetry = pipelines.GetPipeline(DataExtensions.DeadlockRetry);

    public async Task<CallView> RaiseAsync(int bedId, string kind, BedCredential credential, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var call = await RaiseInTransactionAsync(bedId, kind, credential, ct);
            metrics.AssignSucceeded(Stopwatch.GetElapsedTime(started));
            return call;
        }
        catch (Exception e) when (e is MySqlException or TimeoutException)
        {
            metrics.AssignFailed();
            throw;
        }
    }

    private Task<CallView> RaiseInTransactionAsync(int bedId, string kind, BedCredential credential, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var bed = await FindBedAsync(tx, bedId, token);
            var caller = await AuthenticateBedsideAsync(tx, bed, credential, token);
            if (caller.ActorType == AuditLog.Patient && !CallKinds.MayBeRaisedByPatient(kind))
            {
                throw RefusedException.Forbidden($"A patient tablet may raise '{CallKinds.Normal}' or '{CallKinds.Bath}' calls, not '{kind}'.");
            }

            return await InsertAssignAndAnnounceAsync(tx, bed, kind, caller, token);
        }, ct);

    /// <summary>The call, its assignment, its outbox event and its audit row, in the caller's transaction.</summary>
    private async Task<CallView> InsertAssignAndAnnounceAsync(MySqlTransaction tx, BedRow bed, string kind, BedsideCaller caller, CancellationToken token)
    {
        var callId = await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(CallQueries.InsertCall, new
        {
            bed.BedId,
            bed.WardId,
            Kind = kind,
            Priority = CallKinds.BasePriority(kind),
            RaisedBy = caller.ActorType,
            EscalationSeconds = escalation.Value.Level1Seconds,
        }, tx, cancellationToken: token));
        var assignee = await tx.Connection!.QuerySingleAsync<int?>(new CommandDefinition(
            CallQueries.AssignToNextNurse, new { CallId = callId }, tx, cancellationToken: token));

        if (assignee is not null)
        {
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.RecordFirstAssignee,
                new { CallId = callId, StaffId = assignee }, tx, cancellationToken: token));
        }
        var view = await CallViews.ReadAsync(tx, callId, token);
        await OutboxWriter.AppendAsync(tx, EventTypes.CallRaised, view, token);
        await AuditLog.AppendAsync(tx, caller.ActorType, caller.ActorId, "call_raised", callId,
            $"kind {kind}, assigned to {(assignee is null ? "nobody on duty" : $"staff {assignee}")}", token);
        return view;
    }

    /// <summary>
    /// A bed device silent past its bound: a "trouble" call (the lowest band) at its bed, raised by
    /// the system, once per silence. Null when another node raised it or the device is back.
    /// </summary>
    public Task<CallView?> RaiseDeviceTroubleAsync(int deviceId, int silentSeconds, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var device = await tx.Connection!.QuerySingleOrDefaultAsync<SilentDeviceRow>(new CommandDefinition(
                CallQueries.LockSilentDevice, new { DeviceId = deviceId, SilentSeconds = silentSeconds }, tx, cancellationToken: token));
            if (device is null)
            {
                return null;
            }
            var bed = await FindBedAsync(tx, device.BedId, token);
            var call = await InsertAssignAndAnnounceAsync(tx, bed, CallKinds.Trouble, new BedsideCaller(AuditLog.System, deviceId), token);
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.SetTroubleCall,
                new { DeviceId = deviceId, CallId = call.Id }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.System, deviceId, "device_silent", call.Id,
                $"bed device {deviceId} silent for more than {silentSeconds} s", token);
            return (CallView?)call;
        }, ct);

    /// <summary>A bed device is alive: its heartbeat is recorded and the trouble call of its silence, if any, cleared.</summary>
    public Task<CallView?> DeviceHeartbeatAsync(string? deviceKey, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var device = await tx.Connection!.QuerySingleOrDefaultAsync<HeartbeatDeviceRow>(new CommandDefinition(
                CallQueries.LockDeviceByKey, new { KeyHash = Secrets.Hash(deviceKey ?? "") }, tx, cancellationToken: token))
                ?? throw RefusedException.Unauthorized("Unknown device key.");
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.DeviceSeen, new { DeviceId = device.Id }, tx, cancellationToken: token));
            if (device.TroubleCallId is not { } troubleCallId)
            {
                return null;
            }
            var call = await tx.Connection!.QuerySingleAsync<CallLockRow>(new CommandDefinition(
                CallQueries.LockCall, new { CallId = troubleCallId }, tx, cancellationToken: token));
            return call.IsOpen ? await ResolveAsync(tx, call, AuditLog.Device, AuditLog.Device, device.Id, null, token) : null;
        }, ct);

    public Task<CallView> AcknowledgeAsync(long callId, StaffUser nurse, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var call = await LockCallForStaffAsync(tx, callId, nurse, token);
            if (call.Status != "open")
            {
                throw RefusedException.Conflict($"Call {callId} is {call.Status}; only an open call can be acknowledged.");
            }
            await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.Accept,
                new { CallId = callId, nurse.StaffId }, tx, cancellationToken: token));

            var view = await CallViews.ReadAsync(tx, callId, token);
            await OutboxWriter.AppendAsync(tx, EventTypes.CallAccepted, view, token);
            await AuditLog.AppendAsync(tx, AuditLog.Staff, nurse.StaffId, "call_accepted", callId, null, token);
            return view;
        }, ct);

    /// <summary>A nurse who cannot take the call rejects it: it escalates one level at once, never back to them.</summary>
    public async Task<CallView> RejectAsync(long callId, StaffUser nurse, CancellationToken ct)
    {
        var call = await RejectInTransactionAsync(callId, nurse, ct);
        metrics.Escalated(call.EscalationLevel);
        return call;
    }

    private Task<CallView> RejectInTransactionAsync(long callId, StaffUser nurse, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var call = await LockCallForStaffAsync(tx, callId, nurse, token);
            if (call.Status != "open")
            {
                throw RefusedException.Conflict($"Call {callId} is {call.Status}; only an open call can be rejected.");
            }
            if (call.EscalationLevel >= EscalationLadder.TopLevel)
            {
                throw RefusedException.Conflict($"Call {callId} is already at the top of the escalation ladder; acknowledge it.");
            }
            await AuditLog.AppendAsync(tx, AuditLog.Staff, nurse.StaffId, "call_rejected", callId, null, token);
            return await escalator.EscalateAsync(tx,
                new EscalatingCall(call.Id, call.WardId, call.Kind, call.EscalationLevel, call.AssignedStaffId),
                $"rejected by staff {nurse.StaffId}", excludeStaffId: nurse.StaffId, token);
        }, ct);

    /// <summary>The bed device or the patient clears the call at the bedside; any kind, code calls included.</summary>
    public Task<CallView> CancelAtBedsideAsync(long callId, BedCredential credential, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var call = await LockCallAsync(tx, callId, token);
            var caller = await AuthenticateBedsideAsync(tx, new BedRow(call.BedId, call.WardId), credential, token);
            if (!call.IsOpen)
            {
                throw RefusedException.Conflict($"Call {callId} is already {call.Status}.");
            }
            return await ResolveAsync(tx, call, caller.ActorType, caller.ActorType, caller.ActorId, presentStaffId: null, token);
        }, ct);

    /// <summary>
    /// A nurse registered in the room (badge at the bed device). Clears the bed's open calls except
    /// code and emergency calls, which stay until cleared at the device.
    /// </summary>
    public Task<PresenceResult> RegisterPresenceAsync(int bedId, int staffId, string? deviceKey, CancellationToken ct) =>
        InTransactionAsync(async (tx, token) =>
        {
            var bed = await FindBedAsync(tx, bedId, token);
            var device = await AuthenticateBedsideAsync(tx, bed, new BedCredential(deviceKey, Nonce: null), token);
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
                if (CallKinds.IsClearedByPresence(call.Kind))
                {
                    resolved.Add(await ResolveAsync(tx, call, "presence", AuditLog.Staff, staffId, staffId, token));
                }
                else
                {
                    stillOpen.Add(await CallViews.ReadAsync(tx, call.Id, token));
                }
            }
            await AuditLog.AppendAsync(tx, AuditLog.Device, device.ActorId, "nurse_presence", null,
                $"staff {staffId} at bed {bedId}; cleared {resolved.Count}, left open {stillOpen.Count}", token);
            return new PresenceResult(resolved, stillOpen);
        }, ct);

    public async Task<PatientSession> CreatePatientSessionAsync(int bedId, StaffUser nurse, CancellationToken ct)
    {
        var nonce = Secrets.NewToken();
        var expiresAt = await InTransactionAsync(async (tx, token) =>
        {
            var bed = await FindBedAsync(tx, bedId, token);
            if (!nurse.MayActOnWard(bed.WardId))
            {
                throw RefusedException.Forbidden($"Bed {bedId} belongs to another ward.");
            }
            var expires = await tx.Connection!.ExecuteScalarAsync<DateTime>(new CommandDefinition(CallQueries.InsertPatientSession,
                new { BedId = bedId, NonceHash = Secrets.Hash(nonce), LifetimeMinutes = sessions.Value.PatientNonceLifetimeMinutes },
                tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, nurse.StaffId, "patient_session_created", null, $"bed {bedId}", token);
            return expires;
        }, ct);
        return new PatientSession(nonce, DbTime.ToOffset(expiresAt));
    }

    public async Task<IReadOnlyList<CallView>> ListOpenAsync(int wardId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallViewRow>(new CommandDefinition(
            CallQueries.OpenCallsOfWard, new { WardId = wardId }, cancellationToken: ct));
        return rows.Select(r => r.ToView()).ToList();
    }

    public async Task<IReadOnlyList<CallView>> ListAssignedToAsync(int staffId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallViewRow>(new CommandDefinition(
            CallQueries.OpenCallsAssignedTo, new { StaffId = staffId }, cancellationToken: ct));
        return rows.Select(r => r.ToView()).ToList();
    }

    private async Task<T> InTransactionAsync<T>(Func<MySqlTransaction, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var result = await _deadlockRetry.ExecuteAsync(async token =>
        {
            await using var conn = await dataSource.OpenConnectionAsync(token);
            await using var tx = await conn.BeginTransactionAsync(token);
            var value = await work(tx, token);
            await tx.CommitAsync(token);
            return value;
        }, ct);
        // Wake the relay now rather than at its next poll.
        outboxSignal.Notify();
        return result;
    }

    private static async Task<CallView> ResolveAsync(
        MySqlTransaction tx, CallLockRow call, string resolvedBy, string actorType, long? actorId, int? presentStaffId, CancellationToken ct)
    {
        await tx.Connection!.ExecuteAsync(new CommandDefinition(CallQueries.Resolve,
            new { CallId = call.Id, ResolvedBy = resolvedBy, PresentStaffId = presentStaffId }, tx, cancellationToken: ct));
        var view = await CallViews.ReadAsync(tx, call.Id, ct);
        await OutboxWriter.AppendAsync(tx, EventTypes.CallResolved, view, ct);
        await AuditLog.AppendAsync(tx, actorType, actorId, "call_resolved", call.Id, $"by {resolvedBy}", ct);
        return view;
    }

    private static async Task<BedRow> FindBedAsync(MySqlTransaction tx, int bedId, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<BedRow>(new CommandDefinition(
            CallQueries.FindBed, new { BedId = bedId }, tx, cancellationToken: ct))
        ?? throw RefusedException.NotFound($"Bed {bedId} does not exist.");

    private static async Task<CallLockRow> LockCallAsync(MySqlTransaction tx, long callId, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<CallLockRow>(new CommandDefinition(
            CallQueries.LockCall, new { CallId = callId }, tx, cancellationToken: ct))
        ?? throw RefusedException.NotFound($"Call {callId} does not exist.");

    private static async Task<CallLockRow> LockCallForStaffAsync(MySqlTransaction tx, long callId, StaffUser staff, CancellationToken ct)
    {
        var call = await LockCallAsync(tx, callId, ct);
        if (!staff.MayActOnWard(call.WardId) && call.AssignedStaffId != staff.StaffId)
        {
            throw RefusedException.Forbidden($"Call {callId} belongs to another ward.");
        }
        return call;
    }

    private sealed record BedsideCaller(string ActorType, long ActorId);

    /// <summary>Checks the bedside credential against the bed; a nonce is spent in this transaction.</summary>
    private static async Task<BedsideCaller> AuthenticateBedsideAsync(
        MySqlTransaction tx, BedRow bed, BedCredential credential, CancellationToken ct)
    {
        var conn = tx.Connection!;
        if (!string.IsNullOrEmpty(credential.DeviceKey))
        {
            var device = await conn.QuerySingleOrDefaultAsync<DeviceRow>(new CommandDefinition(
                CallQueries.FindBedDevice, new { KeyHash = Secrets.Hash(credential.DeviceKey) }, tx, cancellationToken: ct))
                ?? throw RefusedException.Unauthorized("The device key is not known.");
            return device.BedId == bed.BedId
                ? new BedsideCaller(AuditLog.Device, device.Id)
                : throw RefusedException.Forbidden($"This device belongs to another bed than bed {bed.BedId}.");
        }

        if (!string.IsNullOrEmpty(credential.Nonce))
        {
            var nonce = await conn.QuerySingleOrDefaultAsync<NonceRow>(new CommandDefinition(
                CallQueries.LockNonce, new { NonceHash = Secrets.Hash(credential.Nonce) }, tx, cancellationToken: ct))
                ?? throw RefusedException.Unauthorized("The patient nonce is not known.");
            if (nonce.BedId != bed.BedId)
            {
                throw RefusedException.Forbidden($"This nonce was issued for another bed than bed {bed.BedId}.");
            }
            if (nonce.IsUsed)
            {
                throw RefusedException.Unauthorized("The patient nonce has already been used; ask for a new one.");
            }
            if (nonce.IsLive == 0)
            {
                throw RefusedException.Unauthorized("The patient nonce has expired; ask for a new one.");
            }
            await conn.ExecuteAsync(new CommandDefinition(CallQueries.UseNonce, new { nonce.Id }, tx, cancellationToken: ct));
            return new BedsideCaller(AuditLog.Patient, nonce.Id);
        }

        throw RefusedException.Unauthorized("A bed device key (X-Device-Key header) or a patient nonce is required.");
    }
}
