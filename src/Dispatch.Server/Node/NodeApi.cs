using Dispatch.Contracts;
using Dispatch.Server.Realtime;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dispatch.Server.Node;

public sealed record DrainStarted(string Reason, long Connections);

public static partial class WatchdogApi
{
    public static IHostApplicationBuilder AddWatchdog(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WatchdogOptions>()
            .BindConfiguration(WatchdogOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<MemoryGauge>();
        builder.Services.AddSingleton<NodeDrain>();
        builder.Services.AddHostedService<MemoryWatchdog>();
        return builder;
    }

    /// <summary>
    /// Drains this node (ops before maintenance; tests). Call it on the node's own address, not
    /// through nginx, which would pick a node by the caller's address.
    /// </summary>
    public static IEndpointRouteBuilder MapWatchdog(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/node/drain", RequestDrain).WithTags("Watchdog").RequireAuthorization(StaffUser.Admin);
        return app;
    }

    private static Results<Accepted<DrainStarted>, ProblemHttpResult> RequestDrain(
        HttpContext context, NodeDrain drain, NodeStatus node, ConnectionRegistry connections, ILoggerFactory loggers)
    {
        if (!node.AcceptsConnections || !drain.Request(ReconnectNotice.Maintenance))
        {
            return TypedResults.Problem($"This node is already {node.State.ToString().ToLowerInvariant()}.", statusCode: StatusCodes.Status409Conflict);
        }
        Log.DrainRequested(loggers.CreateLogger(typeof(WatchdogApi)), StaffUser.From(context.User).StaffId);
        return TypedResults.Accepted((string?)null, new DrainStarted(ReconnectNotice.Maintenance, connections.Current));
    }

    private static partial class Log
    {
        [LoggerMessage(1620, LogLevel.Warning, "Staff {StaffId} asked this node to drain and restart")]
        public static partial void DrainRequested(ILogger logger, int staffId);
    }
}
