using MySqlConnector;

namespace Dispatch.Server.Data;

/// <summary>
/// A check that every node runs against the database at a fixed interval (supervision, display
/// alarms, session ends). A database that is away skips a round, logged, and never stops the node.
/// </summary>
public abstract partial class PeriodicDatabaseWork(TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time { get; } = time;

    protected abstract TimeSpan Interval { get; }

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, Time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                Log.RoundFailed(logger, GetType().Name, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1010, LogLevel.Warning, "{Work}: the database did not answer; trying again at the next round")]
        public static partial void RoundFailed(ILogger logger, string work, Exception exception);
    }
}
