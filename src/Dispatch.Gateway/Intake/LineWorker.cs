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
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var stream = await link.OpenAsync(ct);
                metrics.LineUp(lineName, up: true);
                Log.Open(logger, lineName);
                await using var channel = new LineChannel(stream, () => Interlocked.Exchange(ref _heardAt, time.GetTimestamp()));
                await (options.Protocol == LineOptions.Tap
                    ? new TapReceiver(lineName, options, intake, logger).RunAsync(channel, ct)
                    : new EspaReceiver(lineName, options, intake, logger).RunAsync(channel, ct));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                Log.Closed(logger, lineName, e.Message);
            }
            finally
            {
                metrics.LineUp(lineName, up: false);
            }
            await Task.Delay(s_reopenDelay, time, ct).ContinueWith(_ => { }, TaskScheduler.Default);
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

        [LoggerMessage(4004, LogLevel.Warning, "Line '{Line}': its heartbeat did not reach the server: {Reason}")]
        public static partial void HeartbeatFailed(ILogger logger, string line, string reason);
    }
}
