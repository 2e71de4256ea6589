using Dispatch.Lines.Espa;
using Dispatch.Lines;
using Dispatch.Lines.Tap;

namespace Dispatch.Gateway.Intake;

/// <summary>
/// One line, kept open: its connection opened (again after any failure, after a pause), its
/// protocol run on it, and, while it is being heard, a heartbeat to the server every
/// Gateway:HeartbeatSeconds, so that a line that falls silent, or a gateway that stops, is shown
/// on the maintenance view (Supervision:LineSilentSeconds on the server).
/// </summary>
public sealed partial class LineWorker(
    string lineName, LineOptions options, GatewayOptions gateway, ServerIntake intake, GatewayMetrics metrics, TimeProvider time, ILogger logger)
    : BackgroundService
{
    private static readonly TimeSpan s_reopenDelay = TimeSpan.FromSeconds(2);
    private long _heardAt;
    private long _reportedAt;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(KeepOpenAsync(stoppingToken), ReportHeardAsync(stoppingToken));

    private async Task KeepOpenAsync(CancellationToken ct)
    {
        using var link = new LineLink(options);
        Log.Starting(logger, lineName, options.Protocol, link.Describe());
        metrics.LineUp(lineName, up: false);
        // A listening line takes the primary system's next connection while it serves one: a new
        // connection replaces the old, which may be dead without a word (the other end rebooted).
        Task<Stream>? next = null;
        while (!ct.IsCancellationRequested)
        {
            var reopenNow = false;
            try
            {
                var pending = next;
                next = null;
                var stream = pending is null ? await link.OpenAsync(ct) : await pending;
                metrics.LineUp(lineName, up: true);
                Log.Open(logger, lineName);
                await using var channel = new LineChannel(stream, () => Interlocked.Exchange(ref _heardAt, time.GetTimestamp()));
                using var session = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var run = options.Protocol == LineOptions.Tap
                    ? new TapReceiver(lineName, options, intake, logger).RunAsync(channel, session.Token)
                    : new EspaReceiver(lineName, options, intake, logger).RunAsync(channel, session.Token);
                if (options.Listen is { Length: > 0 })
                {
                    next = link.OpenAsync(ct);
                    if (await Task.WhenAny(run, next) == next && next.IsCompletedSuccessfully)
                    {
                        Log.Replaced(logger, lineName);
                        await session.CancelAsync();
                        reopenNow = true;
                    }
                }
                await run;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (OperationCanceledException) when (reopenNow)
            {
                // The old connection, given up for the new one.
            }
            catch (Exception e)
            {
                Log.Closed(logger, lineName, e.Message);
            }
            finally
            {
                metrics.LineUp(lineName, up: false);
            }
            if (!reopenNow && next is null)
            {
                await Task.Delay(s_reopenDelay, time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ReportHeardAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(gateway.HeartbeatSeconds), time);
        while (await timer.WaitForNextTickAsync(ct).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default))
        {
            var heardAt = Interlocked.Read(ref _heardAt);
            if (heardAt == 0 || heardAt == _reportedAt)
            {
                continue;
            }
            try
            {
                await intake.HeartbeatAsync(ct);
                _reportedAt = heardAt;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                Log.HeartbeatFailed(logger, lineName, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4001, LogLevel.Information, "Line '{Line}' ({Protocol}): {Link}")]
        public static partial void Starting(ILogger logger, string line, string protocol, string link);

        [LoggerMessage(4002, LogLevel.Information, "Line '{Line}' is open")]
        public static partial void Open(ILogger logger, string line);

        [LoggerMessage(4003, LogLevel.Warning, "Line '{Line}' closed: {Reason}; opening it again")]
        public static partial void Closed(ILogger logger, string line, string reason);

        [LoggerMessage(4005, LogLevel.Warning, "Line '{Line}': a new connection replaces the open one (the other end reconnected)")]
        public static partial void Replaced(ILogger logger, string line);

        [LoggerMessage(4004, LogLevel.Warning, "Line '{Line}': its heartbeat did not reach the server: {Reason}")]
        public static partial void HeartbeatFailed(ILogger logger, string line, string reason);
    }
}
