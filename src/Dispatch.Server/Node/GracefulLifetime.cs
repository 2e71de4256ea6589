using System.Runtime.InteropServices;

namespace Dispatch.Server.Node;

/// <summary>
/// Replaces the console lifetime so that SIGTERM and Ctrl+C say goodbye first. The host signals
/// ApplicationStopping as its very first step, and SignalR closes every connection on it; so the
/// goodbye (server_shutdown) goes out here, before the host is asked to stop. Then the usual stop:
/// requests in flight finish (HostOptions.ShutdownTimeout) and the process exits.
/// </summary>
public sealed partial class GracefulLifetime(
    IHostApplicationLifetime lifetime,
    ShutdownNotifier notifier,
    NodeStatus node,
    ILogger<GracefulLifetime> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> _signals = [];
    private Task? _stopping;

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT })
        {
            _signals.Add(PosixSignalRegistration.Create(signal, OnSignal));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => _stopping ?? Task.CompletedTask;

    private void OnSignal(PosixSignalContext context)
    {
        // This lifetime stops the host itself, once the goodbye is out.
        context.Cancel = true;
        Log.Signal(logger, context.Signal);
        node.Stopping();
        _stopping ??= SayGoodbyeThenStopAsync();
    }

    private async Task SayGoodbyeThenStopAsync()
    {
        try
        {
            await notifier.SayGoodbyeAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            Log.GoodbyeFailed(logger, e);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    public void Dispose()
    {
        foreach (var signal in _signals)
        {
            signal.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1401, LogLevel.Information, "{Signal} received: saying goodbye, then stopping")]
        public static partial void Signal(ILogger logger, PosixSignal signal);

        [LoggerMessage(1402, LogLevel.Warning, "The goodbye could not be sent to every station; stopping anyway")]
        public static partial void GoodbyeFailed(ILogger logger, Exception exception);
    }
}
