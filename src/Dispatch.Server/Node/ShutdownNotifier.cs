using Dispatch.Contracts;
using Dispatch.Server.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Node;

/// <summary>
/// Tells this node's stations that it is stopping (server_shutdown), before anything closes their
/// connections (see <see cref="GracefulLifetime"/>). Each client reconnects at a random moment in
/// the suggested window, so the remaining nodes are not hit by a storm, and resyncs from its last
/// sequence.
/// </summary>
public sealed partial class ShutdownNotifier(
    IHubContext<DispatchHub, IDispatchClient> hub,
    ConnectionRegistry connections,
    IOptions<RealtimeOptions> options,
    ILogger<ShutdownNotifier> logger)
{
    /// <summary>The goodbye's own bound: the node closes within 10 s of SIGTERM, whatever its stations do.</summary>
    private static readonly TimeSpan s_goodbyeTimeout = TimeSpan.FromSeconds(3);

    public async Task SayGoodbyeAsync(CancellationToken cancellationToken)
    {
        var ids = connections.ConnectionIds;
        Log.SayingGoodbye(logger, ids.Count);
        if (ids.Count > 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_goodbyeTimeout);
            var notice = new ShutdownNotice("server_shutdown", options.Value.ReconnectWindowMs);
            await hub.Clients.Clients(ids).ServerShutdown(notice).WaitAsync(timeout.Token);
            await Task.Delay(options.Value.GoodbyeGraceMs, timeout.Token);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1400, LogLevel.Information, "Stopping: telling {Connections} connections to reconnect elsewhere")]
        public static partial void SayingGoodbye(ILogger logger, int connections);
    }
}
