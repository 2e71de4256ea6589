using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The single-node relay (Realtime:Mode InProcess): reads each ward's new outbox events in
/// sequence order and publishes them, then heartbeats every ward with its latest sequence. The
/// cursor is per ward because a ward's sequence is gap-free and commit-ordered, which a global
/// auto-increment id is not. It lives in memory and starts at the present: stations that
/// (re)connect catch up from the outbox themselves with their own last sequence. In a cluster
/// Dispatch.Bridge does this job instead, with a durable cursor.
/// </summary>
public sealed partial class OutboxRelay(
    MySqlDataSource dataSource,
    WardEventPublisher publisher,
    OutboxSignal signal,
    IOptions<RelayOptions> options,
    DispatchMetrics metrics,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : BackgroundService, IRelayBacklog
{
    private Dictionary<int, long>? _cursors;
    private long _pending;
    private DateTimeOffset _nextHeartbeat;

    /// <summary>Events committed but not yet pushed by this node, as of the last pass.</summary>
    public long PendingEvents => Interlocked.Read(ref _pending);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pollInterval = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RelayPassAsync(stoppingToken);
            }
            catch (Exception e) when (e is MySqlException or TimeoutException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The database is away; stations keep their sequence and catch up when it is back.
                Log.RelayPassFailed(logger, e);
            }
            await signal.WaitAsync(pollInterval, stoppingToken);
        }
    }

    private async Task RelayPassAsync(CancellationToken ct)
    {
        var started = time.GetTimestamp();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var latest = await OutboxReader.WardPositionsAsync(conn, ct);
        metrics.OutboxPolled(time.GetElapsedTime(started));

        if (_cursors is null)
        {
            _cursors = latest.ToDictionary(w => w.WardId, w => w.LastSeq);
            Log.RelayStarted(logger, _cursors.Count);
        }

        long pending = 0;
        foreach (var (wardId, lastSeq) in latest)
        {
            var cursor = _cursors.GetValueOrDefault(wardId);
            while (cursor < lastSeq)
            {
                var events = await OutboxReader.ReadAfterAsync(conn, wardId, cursor, DispatchHubMethods.ResyncPageSize, ct);
                if (events.Count == 0)
                {
                    break;
                }
                foreach (var wardEvent in events)
                {
                    await publisher.PublishAsync(wardEvent);
                    cursor = wardEvent.Seq;
                }
                _cursors[wardId] = cursor;
            }
            pending += lastSeq - cursor;
        }
        Interlocked.Exchange(ref _pending, pending);

        var now = time.GetUtcNow();
        if (now >= _nextHeartbeat)
        {
            _nextHeartbeat = now.AddSeconds(options.Value.WardHeartbeatSeconds);
            foreach (var (wardId, cursor) in _cursors)
            {
                await publisher.PublishHeartbeatAsync(new WardHeartbeat(wardId, cursor, now));
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1100, LogLevel.Information, "Outbox relay started at the present for {Wards} wards")]
        public static partial void RelayStarted(ILogger logger, int wards);

        [LoggerMessage(1101, LogLevel.Warning, "Outbox relay pass failed; retrying at the next poll")]
        public static partial void RelayPassFailed(ILogger logger, Exception exception);
    }
}
