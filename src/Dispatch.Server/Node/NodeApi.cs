using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Realtime;
using Dispatch.Server.Sessions;
using Dispatch.Server.Supervision;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Node;

/// <summary>
/// The node's life: whether it takes connections, its heartbeat row, the memory watchdog and its
/// drain, the goodbye on SIGTERM, and the probes that load balancers and ops read.
/// </summary>
public static partial class NodeApi
{
    public static IHostApplicationBuilder AddNode(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<NodeStatus>();
        builder.Services.AddSingleton<ShutdownNotifier>();
        builder.Services.AddSingleton<IHostLifetime, GracefulLifetime>();
        // SIGTERM to exit within 10 s: the goodbye, then at most 8 s for requests in flight.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(8));

        builder.Services.AddValidatedOptions<NodeHeartbeatOptions>(NodeHeartbeatOptions.Section)
            // A connected screen is stamped once per node heartbeat: a shorter silence bound would report it while it is there.
            .Validate<IOptions<SupervisionOptions>>((heartbeat, supervision) => supervision.Value.StationSilentSeconds > heartbeat.HeartbeatSeconds,
                "Supervision:StationSilentSeconds must be longer than Ops:HeartbeatSeconds, which stamps the connected station screens.");
        builder.Services.AddHostedService<NodeHeartbeat>();

        builder.Services.AddValidatedOptions<WatchdogOptions>(WatchdogOptions.Section);
        builder.Services.AddSingleton<MemoryGauge>();
        builder.Services.AddObservedGauge("memory_usage_percent", "Working set as a percentage of the memory this process may use.",
            sp => sp.GetRequiredService<MemoryGauge>().UsagePercent());
        builder.Services.AddSingleton<NodeDrain>();
        builder.Services.AddHostedService<MemoryWatchdog>();
        return builder;
    }

    /// <summary>
    /// The probes are anonymous on purpose (nginx and supervisors call them) and reveal no patient
    /// data: counts and flags only. The drain is for ops before maintenance (and tests): call it
    /// on the node's own address, not through nginx, which would pick a node by the caller's address.
    /// </summary>
    public static IEndpointRouteBuilder MapNode(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", HealthEndpoints.HealthzAsync).AllowAnonymous();
        app.MapGet("/ws-health", HealthEndpoints.WsHealthReport).AllowAnonymous();
        app.MapPost("/api/node/drain", RequestDrain).WithTags("Watchdog").RequireAuthorization(StaffPolicies.Admin);
        app.MapPost("/api/node/heap", MeasureHeap).WithTags("Watchdog").RequireAuthorization(StaffPolicies.Admin);
        return app;
    }

    /// <summary>New hub connections are refused with 503 while the node drains or stops (see <see cref="NodeStatus"/>).</summary>
    public static IApplicationBuilder UseHubAdmission(this IApplicationBuilder app)
    {
        var node = app.ApplicationServices.GetRequiredService<NodeStatus>();
        // Not async: a middleware that awaits the hub's request stays in memory for the WebSocket's life.
        return app.Use((context, next) =>
        {
            if (!node.AcceptsConnections && context.Request.Path.StartsWithSegments(DispatchHubMethods.Route))
            {
                context.Response.Headers.RetryAfter = "1";
                return TypedResults.Problem($"This node is {node.State.ToString().ToLowerInvariant()}; connect to another node.",
                    statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
            }
            return next(context);
        });
    }

    /// <summary>
    /// For benchmarks (the swarm's memory per connection): a full blocking GC first, so the figure
    /// is the live heap, not garbage. It stalls this node for the collection's length (tens of ms
    /// per hundred MB): never a probe.
    /// </summary>
    private static Ok<HeapReport> MeasureHeap(ConnectionRegistry connections)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return TypedResults.Ok(new HeapReport(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, connections.Current));
    }

    private static Results<Accepted<DrainStarted>, ProblemHttpResult> RequestDrain(
        HttpContext context, NodeDrain drain, NodeStatus node, ConnectionRegistry connections, ILoggerFactory loggers)
    {
        if (!node.AcceptsConnections || !drain.Request(ReconnectNotice.Maintenance))
        {
            return TypedResults.Problem($"This node is already {node.State.ToString().ToLowerInvariant()}.", statusCode: StatusCodes.Status409Conflict);
        }
        Log.DrainRequested(loggers.CreateLogger(typeof(NodeApi)), StaffUser.From(context.User).StaffId);
        return TypedResults.Accepted((string?)null, new DrainStarted(ReconnectNotice.Maintenance, connections.Current));
    }

    private static partial class Log
    {
        [LoggerMessage(1620, LogLevel.Warning, "Staff {StaffId} asked this node to drain and restart")]
        public static partial void DrainRequested(ILogger logger, int staffId);
    }
}
