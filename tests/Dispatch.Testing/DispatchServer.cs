using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dispatch.Testing;

/// <summary>A Dispatch.Server process-in-a-test: the real app on a real loopback socket, on a given database.</summary>
public sealed class DispatchServer : ServerApi, IAsyncDisposable
{
    private readonly Factory _factory;

    private DispatchServer(Factory factory, Uri baseAddress) : base(baseAddress) => _factory = factory;

    public IServiceProvider Services => _factory.Services;

    public static DispatchServer Start(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = new Factory(connectionString, settings ?? new Dictionary<string, string>());
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DispatchServer(factory, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class Factory(string connectionString, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Database:ConnectionString", connectionString);
            builder.UseSetting("Relay:PollIntervalMs", "100");
            builder.UseSetting("Relay:WardHeartbeatSeconds", "1");
            builder.UseSetting("Sessions:HeartbeatSeconds", "1");
            builder.UseSetting("Ops:HeartbeatSeconds", "1");
            builder.UseSetting("Supervision:CheckSeconds", "1");
            // Station screens that identify themselves (the station tests) are reported 2 s after they leave.
            builder.UseSetting("Supervision:StationSilentSeconds", "2");
            // Lines from the primary system (the gateway tests report them every second) likewise.
            builder.UseSetting("Supervision:LineSilentSeconds", "2");
            // An unanswered page is sent again after 1 s, and failed within a second of its last try.
            builder.UseSetting("Paging:RetrySeconds", "1");
            builder.UseSetting("Paging:CheckSeconds", "1");
            // The test clients do not send display receipts; the display tests set their own alarm time.
            builder.UseSetting("Display:AlarmSeconds", "3600");
            // Tests make a team and raise its call at once: no node may still trust an older list of team kinds.
            builder.UseSetting("Teams:RefreshSeconds", "0");
            // Every test signs in (and sends keys) from 127.0.0.1, wrong ones included: the address
            // limits would throttle unrelated tests. The per-username limit stays as shipped.
            builder.UseSetting("SignIn:FailuresPerAddress", "100000");
            builder.UseSetting("SignIn:UnknownKeysPerAddress", "100000");
            // The board and bedside pages, as scripts/test.sh builds them.
            builder.UseSetting("Web:Root", Path.Combine(Repository.Root, "web", "dist"));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<ConnectionRecorder>();
                services.Configure<HubOptions>(hub => hub.AddFilter<ConnectionRecorder>());
            });
        }
    }
}
