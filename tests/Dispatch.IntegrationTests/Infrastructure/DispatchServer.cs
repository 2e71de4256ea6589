using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Dispatch.IntegrationTests.Infrastructure;

/// <summary>A Dispatch.Server process-in-a-test: the real app on a real loopback socket, on a given database.</summary>
public sealed class DispatchServer : IAsyncDisposable
{
    private readonly Factory _factory;

    private DispatchServer(Factory factory, Uri baseAddress)
    {
        _factory = factory;
        BaseAddress = baseAddress;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
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

    public async Task<string> LoginAsync(TestStaff staff)
    {
        using var response = await Http.PostAsJsonAsync("/api/sessions", new LoginRequest(staff.Username, staff.Password));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LoginResponse>())!.Token;
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token = null, object? body = null, string? deviceKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        if (deviceKey is not null)
        {
            request.Headers.Add("X-Device-Key", deviceKey);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, object? body = null, string? deviceKey = null)
    {
        using var request = Request(method, path, token, body, deviceKey);
        return await Http.SendAsync(request);
    }

    /// <summary>Presses the bed's call button: POST /api/calls with the bed device's key.</summary>
    public Task<HttpResponseMessage> RaiseAsync(TestBed bed, string kind = CallKinds.Normal) =>
        SendAsync(HttpMethod.Post, "/api/calls", body: new { bedId = bed.BedId, kind }, deviceKey: bed.DeviceKey);

    /// <summary>Raises a call that must be accepted, and returns it.</summary>
    public async Task<CallView> RaiseCallAsync(TestBed bed, string kind = CallKinds.Normal)
    {
        using var response = await RaiseAsync(bed, kind);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException(
                $"Raising a {kind} call at bed {bed.BedId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync<CallView>())!;
    }

    private sealed class Factory(string connectionString, IReadOnlyDictionary<string, string> settings) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Database:ConnectionString", connectionString);
            builder.UseSetting("Relay:PollIntervalMs", "100");
            builder.UseSetting("Relay:WardHeartbeatSeconds", "1");
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
