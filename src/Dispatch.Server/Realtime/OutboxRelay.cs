using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The single-node relay (Realtime:Mode InProcess): reads each ward's new outbox events in
/// sequence order (<see cref="WardCursors"/>) and publishes them, then the wards' heartbeats that
/// are due (each ward's latest sequence, once a period). The cursors live in memory and start at
/// the present: stations that (re)connect catch up from the outbox themselves with their own last
/// sequence. In a cluster Dispatch.Bridge does this job instead, with a durable cursor.
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
    private WardCursors? _cursors;

    /// <summary>Events committed but not yet pushed by this node, as of the last pass.</summary>
    public long PendingEvents => _cursors?.Lag ?? 0;

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
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (_cursors is null)
        {
            var present = await OutboxReader.WardPositionsAsync(conn, ct);
            _cursors = new WardCursors(present.Select(w => KeyValuePair.Create(w.WardId, w.LastSeq)));
            Log.RelayStarted(logger, _cursors.Wards);
        }

        // The cursors live in memory only: a node that restarts starts at the present.
        metrics.OutboxPolled(await _cursors.PassAsync(conn, DispatchHubMethods.ResyncPageSize, PublishAsync, (_, _, _) => Task.CompletedTask, time, ct));

        foreach (var heartbeat in _cursors.HeartbeatsDue(time.GetUtcNow(), TimeSpan.FromSeconds(options.Value.WardHeartbeatSeconds)))
        {
            await publisher.PublishHeartbeatAsync(heartbeat);
        }
    }

    private async Task<bool> PublishAsync(IReadOnlyList<WardEvent> events, CancellationToken ct)
    {
        foreach (var wardEvent in events)
        {
            await publisher.PublishAsync(wardEvent, ct);
        }
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1100, LogLevel.Information, "Outbox relay started at the present for {Wards} wards")]
        public static partial void RelayStarted(ILogger logger, int wards);

        [LoggerMessage(1101, LogLevel.Warning, "Outbox relay pass failed; retrying at the next poll")]
        public static partial void RelayPassFailed(ILogger logger, Exception exception);
    }
}
