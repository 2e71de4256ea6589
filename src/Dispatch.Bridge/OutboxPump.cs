using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Bridge;

/// <summary>
/// Relays the outbox into the hub cluster. Waits to lead (MySQL named lock; the standby blocks
/// here), then binds its socket and, per ward, hands each batch of new events to one node and moves
/// the ward's durable cursor only once a node acknowledged it: a bridge that dies loses nothing
/// and the next leader resends at most the unacknowledged batch (stations drop duplicates by
/// sequence). A lost lock or database ends the process, for its supervisor to restart it as
/// standby; it never keeps relaying without the lock.
/// </summary>
public sealed partial class OutboxPump(
    MySqlDataSource dataSource,
    NodeRouter router,
    BridgeMetrics metrics,
    IOptions<BridgeOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<OutboxPump> logger) : BackgroundService
{
    private const string LockName = "CONCAT('dispatch.bridge.', DATABASE())";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var lease = await LeadAsync(stoppingToken);
            metrics.IsLeading = true;
            router.Bind();
            Log.Leading(logger);
            await PumpAsync(lease, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or LeadershipLostException)
        {
            Log.Stopping(logger, e);
            lifetime.StopApplication();
        }
    }

    /// <summary>Blocks until this bridge holds the lock; the returned connection keeps it.</summary>
    private async Task<MySqlConnection> LeadAsync(CancellationToken ct)
    {
        Log.Waiting(logger);
        while (true)
        {
            try
            {
                var conn = await dataSource.OpenConnectionAsync(ct);
                // Waits inside MariaDB, which grants the lock the moment the leader's connection ends.
                if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition($"SELECT GET_LOCK({LockName}, 10)", cancellationToken: ct)) == 1)
                {
                    return conn;
                }
                await conn.DisposeAsync();
            }
            catch (MySqlException e)
            {
                Log.DatabaseAway(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
    }

    private async Task PumpAsync(MySqlConnection lease, CancellationToken ct)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        var cursors = await LoadCursorsAsync(ct);
        var nextLeaseCheck = time.GetUtcNow();
        var nextHeartbeat = time.GetUtcNow();
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (now >= nextLeaseCheck)
            {
                nextLeaseCheck = now.AddSeconds(1);
                if (await lease.ExecuteScalarAsync<long?>(new CommandDefinition($"SELECT IS_USED_LOCK({LockName}) = CONNECTION_ID()", cancellationToken: ct)) != 1)
                {
                    throw new LeadershipLostException();
                }
            }

            await RelayPassAsync(lease, cursors, ct);

            if (now >= nextHeartbeat)
            {
                nextHeartbeat = now.AddSeconds(options.Value.WardHeartbeatSeconds);
                router.SendHeartbeats(cursors.Select(c => new WardHeartbeat(c.Key, c.Value, now)).ToList());
            }
            await router.WaitForWorkAsync(poll, ct);
        }
    }

    /// <summary>One pass on the leader's own connection (the one holding the lock): no pool round trips while idle.</summary>
    private async Task RelayPassAsync(MySqlConnection conn, Dictionary<int, long> cursors, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var positions = await OutboxReader.WardPositionsAsync(conn, ct);
        metrics.Polled(time.GetElapsedTime(started));

        long lag = 0;
        foreach (var (wardId, lastSeq) in positions)
        {
            var cursor = cursors.GetValueOrDefault(wardId);
            while (cursor < lastSeq)
            {
                var events = await OutboxReader.ReadAfterAsync(conn, wardId, cursor, options.Value.BatchSize, ct);
                if (events.Count == 0 || !await router.DeliverAsync(events, ct))
                {
                    break;
                }
                cursor = events[^1].Seq;
                cursors[wardId] = cursor;
                await conn.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO relay_cursors (ward_id, last_seq) VALUES (@wardId, @cursor)
                    ON DUPLICATE KEY UPDATE last_seq = GREATEST(last_seq, VALUES(last_seq))
                    """, new { wardId, cursor }, cancellationToken: ct));
                metrics.Relayed(events.Count);
            }
            lag += lastSeq - cursor;
        }
        metrics.SetLag(lag);
    }

    private async Task<Dictionary<int, long>> LoadCursorsAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(int WardId, long LastSeq)>(new CommandDefinition(
            "SELECT ward_id, last_seq FROM relay_cursors", cancellationToken: ct));
        return rows.ToDictionary(r => r.WardId, r => r.LastSeq);
    }

    private sealed class LeadershipLostException() : Exception("Another bridge holds the lock, or the lock's connection was lost.");

    private static partial class Log
    {
        [LoggerMessage(2100, LogLevel.Information, "Standing by: waiting to lead")]
        public static partial void Waiting(ILogger logger);

        [LoggerMessage(2101, LogLevel.Information, "Leading: relaying the outbox")]
        public static partial void Leading(ILogger logger);

        [LoggerMessage(2102, LogLevel.Warning, "Database unreachable while waiting to lead")]
        public static partial void DatabaseAway(ILogger logger, Exception exception);

        [LoggerMessage(2103, LogLevel.Error, "Stopping so that a supervisor restarts this bridge as standby")]
        public static partial void Stopping(ILogger logger, Exception exception);
    }
}
