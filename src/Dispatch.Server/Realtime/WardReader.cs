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
            throw RefusedException.NotFound($"Ward {wardId} does not exist.");
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

    public async Task<IReadOnlyList<WardEvent>> EventsAfterAsync(int wardId, long afterSeq, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await OutboxReader.ReadAfterAsync(conn, wardId, afterSeq, DispatchHubMethods.ResyncPageSize, ct);
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
