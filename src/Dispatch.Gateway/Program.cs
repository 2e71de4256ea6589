using Dispatch.Gateway;
using Dispatch.Gateway.Intake;
using Dispatch.Gateway.Paging;
using Microsoft.Extensions.Options;
using Prometheus;

// Dispatch.Gateway: hears the primary nurse-call system over ESPA 4.4.4 or TAP (serial or TCP)
// and hands each call to Dispatch's API; sends the server's pages to the paging server the same
// way (docs/gateway.md). One process per set of lines; a serial
// port belongs to the machine it is plugged into.
// Settings come from the environment (Gateway__…) or an appsettings.json beside the binary,
// wherever it is started from. The gateway ships none: in a test's output it would take the place
// of the server's.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
// A claim every PollMs would otherwise log four lines each.
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
builder.Services.AddOptions<GatewayOptions>().BindConfiguration(GatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<GatewayMetrics>();
builder.Services.AddHttpClient(GatewayOptions.Section, (sp, http) =>
{
    var options = sp.GetRequiredService<IOptions<GatewayOptions>>().Value;
    http.BaseAddress = options.ServerUrl;
    http.Timeout = TimeSpan.FromMilliseconds(options.ServerTimeoutMs);
});

// One worker per configured line, each with its own key and retransmission memory.
var configured = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
foreach (var name in configured.Lines.Keys)
{
    builder.Services.AddSingleton<IHostedService>(sp =>
    {
        var options = sp.GetRequiredService<IOptions<GatewayOptions>>().Value;
        var line = options.Lines[name];
        var time = sp.GetRequiredService<TimeProvider>();
        var metrics = sp.GetRequiredService<GatewayMetrics>();
        var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger($"Dispatch.Gateway.Line.{name}");
        var intake = new ServerIntake(sp.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayOptions.Section), name, line.Key,
            new RetransmitMemory(TimeSpan.FromSeconds(options.RetransmitWindowSeconds), time), metrics, logger);
        return new LineWorker(name, line, options, intake, metrics, time, logger);
    });
}

if (configured.Paging is not null)
{
    builder.Services.AddHostedService(sp =>
    {
        var options = sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Paging!;
        var desk = new PageDesk(sp.GetRequiredService<IHttpClientFactory>().CreateClient(GatewayOptions.Section), options.Key);
        return new PagingWorker(options, desk, sp.GetRequiredService<GatewayMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PagingWorker>>());
    });
}

var app = builder.Build();
app.MapGet("/healthz", (GatewayMetrics metrics) => TypedResults.Json(new { status = "ok", lines = metrics.LinesUp(), ts = DateTimeOffset.UtcNow }));
app.MapMetrics("/metrics", app.Services.GetRequiredService<GatewayMetrics>().Registry);
await app.RunAsync();
