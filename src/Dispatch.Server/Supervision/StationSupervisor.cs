using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Errors;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>
/// Nurse-station screens as supervised devices. A screen identifies itself on the hub with its
/// station device key; while it stays connected, the heartbeat of the node it is on stamps it
/// (<see cref="StampAsync"/>). A station silent past Supervision:StationSilentSeconds is reported
/// to its ward once per silence (event station_silent, audit, the maintenance view), and
/// station_back follows once it is seen again. Each report is one transaction under the device
/// row's lock, so exactly one node makes it.
/// </summary>
public sealed class StationSupervisor(MySqlDataSource dataSource, OutboxSignal outboxSignal, KeyGuesses guesses)
{
    private sealed record StationRow(int DeviceId, int WardId, string Name, DateTime? LastSeenAt, DateTime? SoundOffSince)
    {
        public StationView ToView() => new(DeviceId, WardId, Name, DbTime.ToOffset(LastSeenAt), DbTime.ToOffset(SoundOffSince));
    }

    /// <summary>The station of this key, if the staff member may watch its ward; it counts as seen now.</summary>
    public async Task<StationView> IdentifyAsync(string? stationKey, StaffUser staff, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var station = await conn.QuerySingleOrDefaultAsync<StationRow>(new CommandDefinition(
            SupervisionQueries.FindStationByKey, new { KeyHash = Secrets.Hash(stationKey ?? "") }, cancellationToken: ct))
            ?? throw await guesses.RefuseAsync("Unknown station key.", ct);
        if (!staff.MayActOnWard(station.WardId))
        {
            throw RefusedException.Forbidden($"Station '{station.Name}' belongs to ward {station.WardId}, which is not your ward.", RefusalCodes.NotYourWard);
        }
        await StampAsync(conn, [station.DeviceId], ct);
        return station.ToView();
    }

    /// <summary>These stations are connected (a node's heartbeat): one statement per 1,000 stations.</summary>
    public static async Task StampAsync(MySqlConnection conn, IReadOnlyList<int> stationIds, CancellationToken ct)
    {
        foreach (var chunk in stationIds.Chunk(1000))
        {
            await conn.ExecuteAsync(new CommandDefinition(SupervisionQueries.StationsSeen, new { DeviceIds = chunk }, cancellationToken: ct));
        }
    }

    /// <summary>A ward's stations reported silent and not back, read in the caller's (snapshot) transaction.</summary>
    public static async Task<IReadOnlyList<StationView>> SilentStationsAsync(MySqlTransaction tx, int wardId, CancellationToken ct) =>
        [.. (await tx.Connection!.QueryAsync<StationRow>(new CommandDefinition(
            SupervisionQueries.SilentStationsOfWard, new { WardId = wardId }, tx, cancellationToken: ct))).Select(s => s.ToView())];

    /// <summary>Reports the station to its ward if it is still silent and not reported; null when there is nothing (left) to report.</summary>
    public Task<StationView?> ReportSilentAsync(int deviceId, int silentSeconds, CancellationToken ct) =>
        ReportAsync(SupervisionQueries.LockSilentStation, new { DeviceId = deviceId, SilentSeconds = silentSeconds },
            SupervisionQueries.MarkTroubleReported, EventTypes.StationSilent, $"silent for more than {silentSeconds} s", ct);

    /// <summary>A ward's stations that cannot play sound, read in the caller's (snapshot) transaction.</summary>
    public static async Task<IReadOnlyList<StationView>> MutedStationsAsync(MySqlTransaction tx, int wardId, CancellationToken ct) =>
        [.. (await tx.Connection!.QueryAsync<StationRow>(new CommandDefinition(
            SupervisionQueries.MutedStationsOfWard, new { WardId = wardId }, tx, cancellationToken: ct))).Select(s => s.ToView())];

    /// <summary>
    /// The station's screen can, or cannot, play sound. News is told to its ward (station_muted,
    /// station_sound_back) and audited; a report that changes nothing writes nothing.
    /// </summary>
    public Task<StationView?> ReportSoundAsync(int deviceId, bool canPlay, CancellationToken ct) =>
        ReportAsync(SupervisionQueries.LockStationSoundChange, new { DeviceId = deviceId, CanPlay = canPlay },
            canPlay ? SupervisionQueries.ClearStationMuted : SupervisionQueries.MarkStationMuted,
            canPlay ? EventTypes.StationSoundBack : EventTypes.StationMuted,
            canPlay ? "can play sound again" : "cannot play sound", ct);

    /// <summary>Tells the ward that its reported station is back; null when it was not reported or not seen since.</summary>
    public Task<StationView?> ReportBackAsync(int deviceId, CancellationToken ct) =>
        ReportAsync(SupervisionQueries.LockReturnedStation, new { DeviceId = deviceId },
            SupervisionQueries.ClearTroubleReported, EventTypes.StationBack, "connected again", ct);

    private async Task<StationView?> ReportAsync(string lockQuery, object lockArgs, string mark, string eventType, string detail, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<StationRow>(new CommandDefinition(lockQuery, lockArgs, tx, cancellationToken: ct));
        if (row is null)
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        await conn.ExecuteAsync(new CommandDefinition(mark, new { row.DeviceId }, tx, cancellationToken: ct));
        // The station as the mark left it (since when it is muted, say).
        var station = (await conn.QuerySingleAsync<StationRow>(new CommandDefinition(
            SupervisionQueries.StationById, new { row.DeviceId }, tx, cancellationToken: ct))).ToView();
        await OutboxWriter.AppendAsync(tx, eventType, station, ct);
        await AuditLog.AppendAsync(tx, AuditLog.System, station.DeviceId, eventType, null, $"station '{station.Name}' {detail}", ct);
        await tx.CommitAsync(ct);
        outboxSignal.Notify();
        return station;
    }
}
