using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;

namespace Dispatch.Server.Devices;

/// <summary>A bed device is alive: its heartbeat is recorded and the trouble call of its silence, if any, cleared.</summary>
public sealed class DeviceHeartbeats(Transactions transactions, KeyGuesses guesses)
{
    private sealed record HeartbeatDeviceRow(int Id, long? TroubleCallId);

    public Task<CallView?> RecordAsync(string? deviceKey, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var conn = tx.Connection!;
            var device = await conn.QuerySingleOrDefaultAsync<HeartbeatDeviceRow>(new CommandDefinition(
                DeviceQueries.LockByKey, new { KeyHash = Secrets.Hash(deviceKey ?? "") }, tx, cancellationToken: token))
                ?? throw await guesses.RefuseAsync("Unknown device key.", token);
            await conn.ExecuteAsync(new CommandDefinition(DeviceQueries.Seen, new { DeviceId = device.Id }, tx, cancellationToken: token));
            if (device.TroubleCallId is not { } troubleCallId)
            {
                return null;
            }
            var call = await CallRecords.LockAsync(tx, troubleCallId, token);
            return call.IsUnresolved
                ? await CallRecords.ResolveAsync(tx, call, AuditLog.Device, AuditLog.Device, device.Id, presentStaffId: null, token)
                : null;
        }, ct);
}
