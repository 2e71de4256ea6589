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
    /// <summary>The named lock (per database) that makes one bridge the leader.</summary>
    private const string LockName = "dispatch.bridge";

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

    /// <summary>Blocks until this bridge holds the lock, waiting out a database that is away.</summary>
    private async Task<NamedLockLease> LeadAsync(CancellationToken ct)
    {
        Log.Waiting(logger);
        while (true)
        {
            try
            {
                return await NamedLockLease.AcquireAsync(dataSource, LockName, ct);
            }
            catch (MySqlException e)
            {
                Log.DatabaseAway(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, ct);
            }
        }
    }

    private async Task PumpAsync(NamedLockLease lease, CancellationToken ct)
    {
        var poll = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        var cursors = new WardCursors(await LoadCursorsAsync(ct));
        var nextLeaseCheck = time.GetUtcNow();
        var heartbeatPeriod = TimeSpan.FromSeconds(options.Value.WardHeartbeatSeconds);
        while (!ct.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            if (now >= nextLeaseCheck)
            {
                nextLeaseCheck = now.AddSeconds(1);
                if (!await lease.StillHeldAsync(ct))
                {
                    throw new LeadershipLostException();
                }
            }

            // On the leader's own connection (the one holding the lock): no pool round trips while idle.
            metrics.Polled(await cursors.PassAsync(lease.Connection, options.Value.BatchSize, DeliverAsync,
                (wardId, cursor, token) => SaveCursorAsync(lease.Connection, wardId, cursor, token), time, ct));
            metrics.SetLag(cursors.Lag);

            if (cursors.HeartbeatsDue(now, heartbeatPeriod) is { Count: > 0 } heartbeats)
            {
                router.SendHeartbeats(heartbeats);
            }
            await router.WaitForWorkAsync(poll, ct);
        }
    }

    /// <summary>Hands the batch to a node; true once a node acknowledged publishing it.</summary>
    private async Task<bool> DeliverAsync(IReadOnlyList<WardEvent> events, CancellationToken ct)
    {
        if (!await router.DeliverAsync(events, ct))
        {
            return false;
        }
        metrics.Relayed(events.Count);
        return true;
    }

    /// <summary>The ward's durable cursor moves past a batch only once a node acknowledged it.</summary>
    private static async Task SaveCursorAsync(MySqlConnection conn, int wardId, long cursor, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO relay_cursors (ward_id, last_seq) VALUES (@WardId, @Cursor)
            ON DUPLICATE KEY UPDATE last_seq = GREATEST(last_seq, VALUES(last_seq))
            """, new { WardId = wardId, Cursor = cursor }, cancellationToken: ct));

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
