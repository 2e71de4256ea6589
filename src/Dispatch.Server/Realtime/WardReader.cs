using System.Data;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Calls;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Supervision;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>Reads what a station needs to (re)build its board: a snapshot or the events it missed.</summary>
public sealed class WardReader(MySqlDataSource dataSource, ReplicaReads replica, DispatchMetrics metrics)
{
    public async Task<WardSnapshot> SnapshotAsync(int wardId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // REPEATABLE READ reads every statement from the snapshot taken at the first one, so the
        // calls are exactly those as of the sequence returned with them.
        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, isReadOnly: true, ct);
        var wardExists = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM wards WHERE id = @WardId", new { WardId = wardId }, tx, cancellationToken: ct));
        if (wardExists == 0)
        {
            throw RefusedException.NotFound($"Ward {wardId} does not exist.", RefusalCodes.WardNotFound);
        }
        var seq = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT last_seq FROM ward_sequences WHERE ward_id = @WardId", new { WardId = wardId }, tx, cancellationToken: ct)) ?? 0;
        var calls = await conn.QueryAsync<CallViewRow>(new CommandDefinition(
            CallQueries.OpenCallsOfWard, new { WardId = wardId }, tx, cancellationToken: ct));
        var silentStations = await StationSupervisor.SilentStationsAsync(tx, wardId, ct);
        var mutedStations = await StationSupervisor.MutedStationsAsync(tx, wardId, ct);
        await tx.CommitAsync(ct);
        return new WardSnapshot(wardId, seq, calls.Select(c => c.ToView()).ToList(), silentStations, mutedStations);
    }

    /// <summary>
    /// A station's resync (the hub's Resync): the bulk from the read replica while it is healthy,
    /// and what it has not applied yet from the primary, after the last event the replica gave. The
    /// replica's part is a prefix of the ward's events (it applies commits in order, and a ward's
    /// sequence is given out in commit order), so the page has no gap and ends where the primary's
    /// outbox ends, as a resync must: the station applies its held live events right after it.
    /// </summary>
    public async Task<IReadOnlyList<WardEvent>> EventsAfterAsync(int wardId, long afterSeq, CancellationToken ct)
    {
        const int page = DispatchHubMethods.ResyncPageSize;
        var (connection, source) = await replica.OpenAsync(ct);
        List<WardEvent> events;
        await using (connection)
        {
            events = [.. await OutboxReader.ReadAfterAsync(connection, wardId, afterSeq, page, ct)];
        }
        metrics.ReplicaRead("resync", source);
        if (source == "replica" && events.Count < page)
        {
            await using var primary = await dataSource.OpenConnectionAsync(ct);
            events.AddRange(await OutboxReader.ReadAfterAsync(primary, wardId, events.Count > 0 ? events[^1].Seq : afterSeq, page - events.Count, ct));
        }
        return events;
    }

    /// <summary>
    /// The same, for the polling fallback: from the read replica while it is healthy (a prefix of
    /// the ward's events, a moment behind at most; see <see cref="ReplicaReads"/>).
    /// </summary>
    public async Task<IReadOnlyList<WardEvent>> PolledEventsAfterAsync(int wardId, long afterSeq, CancellationToken ct)
    {
        var (connection, source) = await replica.OpenAsync(ct);
        await using var conn = connection;
        metrics.ReplicaRead("polling", source);
        return await OutboxReader.ReadAfterAsync(conn, wardId, afterSeq, DispatchHubMethods.ResyncPageSize, ct);
    }
}
