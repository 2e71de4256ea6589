using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Errors;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Devices;

/// <summary>
/// The hospital's devices: bed call-button devices and nurse-station screens. Administrators
/// register them (each gets a key, shown once) and retire them; a retired station that was
/// reported silent leaves its ward's boards (station_retired), and a bed device with an open
/// trouble call must have it cleared first.
/// </summary>
public sealed class DeviceRegistry(MySqlDataSource dataSource, OutboxSignal outboxSignal)
{
    public const string Bed = "bed";
    public const string Station = "station";
    public const string Line = "line";
    private const int MaxNameLength = 64;

    private sealed record DeviceListRow(int Id, string Kind, string Name, int? BedId, int? WardId, DateTime? LastSeenAt, int Silent)
    {
        public DeviceRow ToRow() => new(Id, Kind, Name, BedId, WardId, DbTime.ToOffset(LastSeenAt), Silent != 0);
    }

    private sealed record LockedDevice(int Id, string Kind, string Name, int? WardId, DateTime? LastSeenAt, long? TroubleCallId, int ReportedSilent);

    public async Task<IReadOnlyList<DeviceRow>> ListAsync(int? wardId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return [.. (await conn.QueryAsync<DeviceListRow>(new CommandDefinition(DeviceQueries.List, new { WardId = wardId }, cancellationToken: ct)))
            .Select(d => d.ToRow())];
    }

    public async Task<RegisteredDevice> RegisterAsync(RegisterDeviceRequest request, StaffUser admin, CancellationToken ct)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            throw RefusedException.BadRequest($"'name' is required, at most {MaxNameLength} characters.");
        }
        var (bedId, wardId) = request.Kind switch
        {
            Bed when request is { BedId: { } bed, WardId: null } => ((int?)bed, (int?)null),
            Station when request is { WardId: { } ward, BedId: null } => (null, ward),
            Bed => throw RefusedException.BadRequest("A bed device needs 'bedId' (and no 'wardId')."),
            Station => throw RefusedException.BadRequest("A station needs 'wardId' (and no 'bedId')."),
            Line => throw RefusedException.BadRequest("A line is added by the hospital file's 'lines', with the call addresses it maps (Dispatch.Server hospital import)."),
            _ => throw RefusedException.BadRequest($"'kind' must be '{Bed}' or '{Station}'."),
        };

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var exists = bedId is not null
            ? await conn.ExecuteScalarAsync<long>(new CommandDefinition(DeviceQueries.BedExists, new { BedId = bedId }, tx, cancellationToken: ct))
            : await conn.ExecuteScalarAsync<long>(new CommandDefinition(DeviceQueries.WardExists, new { WardId = wardId }, tx, cancellationToken: ct));
        if (exists == 0)
        {
            throw RefusedException.NotFound(bedId is not null ? $"Bed {bedId} does not exist." : $"Ward {wardId} does not exist.");
        }
        var key = Secrets.NewToken();
        var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition(DeviceQueries.Insert,
            new { request.Kind, Name = name, BedId = bedId, WardId = wardId, KeyHash = Secrets.Hash(key) }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(tx, AuditLog.Staff, admin.StaffId, "device_registered", null, $"{request.Kind} device {id} '{name}'", ct);
        await tx.CommitAsync(ct);
        return new RegisteredDevice(id, request.Kind!, name, bedId, wardId, key);
    }

    /// <summary>Removes the device; its key stops working at once.</summary>
    public async Task RetireAsync(int deviceId, StaffUser admin, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var device = await conn.QuerySingleOrDefaultAsync<LockedDevice>(new CommandDefinition(
            DeviceQueries.Lock, new { DeviceId = deviceId }, tx, cancellationToken: ct))
            ?? throw RefusedException.NotFound($"Device {deviceId} does not exist.");
        if (device.TroubleCallId is { } callId
            && await conn.ExecuteScalarAsync<long>(new CommandDefinition(DeviceQueries.OpenCall, new { CallId = callId }, tx, cancellationToken: ct)) > 0)
        {
            throw RefusedException.Conflict(
                $"Bed device {deviceId} has an open trouble call ({callId}); clear it at the bed (nurse presence) before retiring the device.");
        }
        if (device is { Kind: Station, ReportedSilent: not 0, WardId: { } wardId })
        {
            // The ward's boards list it as silent: tell them it is gone.
            await OutboxWriter.AppendAsync(tx, EventTypes.StationRetired,
                new StationView(device.Id, wardId, device.Name, DbTime.ToOffset(device.LastSeenAt)), ct);
        }
        await conn.ExecuteAsync(new CommandDefinition(DeviceQueries.Delete, new { DeviceId = deviceId }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(tx, AuditLog.Staff, admin.StaffId, "device_retired", null, $"{device.Kind} device {deviceId} '{device.Name}'", ct);
        await tx.CommitAsync(ct);
        outboxSignal.Notify();
    }
}
