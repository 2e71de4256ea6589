using MySqlConnector;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// A check run against the database at a fixed interval: on every node (session ends, which close
/// the node's own connections), or, given the <see cref="ClusterLead"/>, only on the node that leads
/// (display alarms, ward and device supervision). A database that is away skips a round, logged,
/// and never stops the node.
/// </summary>
public abstract partial class PeriodicDatabaseWork(TimeProvider time, ILogger logger, ClusterLead? lead = null) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (lead is { IsLeading: false })
            {
                continue;
            }
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                Log.RoundFailed(logger, GetType().Name, e);
            }
            catch (ObjectDisposedException) when (stoppingToken.IsCancellationRequested)
            {
                // The node is stopping and took its backplane connection down under this round.
                return;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1010, LogLevel.Warning, "{Work}: the database did not answer; trying again at the next round")]
        public static partial void RoundFailed(ILogger logger, string work, Exception exception);
    }
}
