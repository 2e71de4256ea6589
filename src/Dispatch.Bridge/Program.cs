using Dispatch.Bridge;
using MySqlConnector;
using NetMQ;
using Prometheus;

// Dispatch.Bridge: relays the outbox from MariaDB to the hub nodes over NetMQ (docs/bridge.md).
// Run two: one leads, the other stands by and takes over when the leader's lock is released.
if (args is ["keygen"])
{
    // A CurveZMQ key pair for the bridge or a node (docs/bridge.md, "Keys").
    var pair = new NetMQCertificate();
    Console.WriteLine($"secret={pair.SecretKeyZ85}");
    Console.WriteLine($"public={pair.PublicKeyZ85}");
    return;
}

// Its own folder as content root: the working directory may be a large tree (the repository under
// scripts/run.sh), which the configuration's file watcher would watch, every file, for nothing.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(_ => new MySqlDataSource(
    builder.Configuration["Database:ConnectionString"] is { Length: > 0 } connectionString
        ? connectionString
        : throw new InvalidOperationException("Database:ConnectionString is required (Database__ConnectionString in the environment).")));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<NodeRouter>();
builder.Services.AddSingleton<BridgeMetrics>();
builder.Services.AddHostedService<OutboxPump>();

var app = builder.Build();
app.MapGet("/healthz", (BridgeMetrics metrics, NodeRouter router) => TypedResults.Json(new
{
    status = metrics.IsLeading ? "leading" : "standby",
    live_nodes = router.LiveNodes,
    relay_lag = metrics.Lag,
    ts = DateTimeOffset.UtcNow,
}));
app.MapMetrics("/metrics", app.Services.GetRequiredService<BridgeMetrics>().Registry);
await app.RunAsync();
