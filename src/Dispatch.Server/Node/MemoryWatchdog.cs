using Microsoft.Extensions.Options;

namespace Dispatch.Server.Node;

/// <summary>
/// Samples the node's memory; above the threshold (or when an admin asks) it drains the node and
/// exits with <see cref="WatchdogOptions.DrainedExitCode"/>, for the supervisor (systemd, the local
/// cluster script) to start it afresh. A restart is the only cure for a heap that has grown: the
/// stations are moved first, so no ward goes dark.
/// </summary>
public sealed partial class MemoryWatchdog(
    MemoryGauge memory,
    NodeDrain drain,
    IHostApplicationLifetime lifetime,
    IOptions<WatchdogOptions> options,
    TimeProvider time,
    ILogger<MemoryWatchdog> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping the host while it still starts would crash it rather than exit with the restart code.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }
        var settings = options.Value;
        var reason = await WaitForReasonAsync(settings, stoppingToken);
        if (await drain.RunAsync(reason, stoppingToken))
        {
            Environment.ExitCode = WatchdogOptions.DrainedExitCode;
            lifetime.StopApplication();
        }
    }

    private async Task<string> WaitForReasonAsync(WatchdogOptions settings, CancellationToken ct)
    {
        while (true)
        {
            var percent = memory.UsagePercent();
            if (percent >= settings.ThresholdPercent)
            {
                Log.OverThreshold(logger, percent, settings.ThresholdPercent);
                return Contracts.ReconnectNotice.MemoryPressure;
            }
            var tick = Task.Delay(TimeSpan.FromMilliseconds(settings.SampleIntervalMs), time, ct);
            if (await Task.WhenAny(tick, drain.Requested) == drain.Requested)
            {
                var reason = await drain.Requested;
                Log.Requested(logger, reason);
                return reason;
            }
            await tick;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1610, LogLevel.Warning, "Memory at {Percent} % is over the watchdog threshold of {Threshold} %")]
        public static partial void OverThreshold(ILogger logger, double percent, double threshold);

        [LoggerMessage(1611, LogLevel.Warning, "Drain requested by an administrator ({Reason})")]
        public static partial void Requested(ILogger logger, string reason);
    }
}
