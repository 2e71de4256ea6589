using System.Net;
using System.Net.Http.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MySqlConnector;

namespace Dispatch.IntegrationTests.Infrastructure;

[CollectionDefinition(Name)]
public sealed class DispatchCollection : ICollectionFixture<DispatchFixture>
{
    public const string Name = "Dispatch server on MariaDB";
}

/// <summary>
/// A fresh MariaDB database (migrated with the real migrations) and a Dispatch.Server listening on
/// a real loopback socket, shared by the tests of the collection. The MariaDB server is the one
/// scripts/test.sh starts; DISPATCH_TEST_MYSQL points at it.
/// </summary>
public sealed class DispatchFixture : IAsyncLifetime
{
    private readonly DispatchServerFactory _factory = new();
    private string _adminConnectionString = "";
    private string _database = "";

    public MySqlDataSource DataSource { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";
    public Uri BaseAddress { get; private set; } = null!;
    public HttpClient Http { get; private set; } = null!;
    public IServiceProvider Services => _factory.Services;

    public async Task InitializeAsync()
    {
        _adminConnectionString = AdminConnectionString();
        _database = await CreateDatabaseAsync(_adminConnectionString);
        ConnectionString = new MySqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
        DataSource = new MySqlDataSource(ConnectionString);
        await new MigrationRunner(DataSource, MigrationsPath).UpAsync(CancellationToken.None);

        _factory.ConnectionString = ConnectionString;
        _factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Http?.Dispose();
        await _factory.DisposeAsync();
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
        await using var conn = new MySqlConnection(_adminConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync($"DROP DATABASE IF EXISTS `{_database}`");
    }

    public static string MigrationsPath => Path.Combine(AppContext.BaseDirectory, "db", "migrations");

    public static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable("DISPATCH_TEST_MYSQL")
        ?? throw new InvalidOperationException(
            "DISPATCH_TEST_MYSQL is not set. Run the tests with scripts/test.sh, which starts MariaDB and sets it.");

    /// <summary>A new, empty database named dispatch_test_*; the name is generated, never user input.</summary>
    public static async Task<string> CreateDatabaseAsync(string adminConnectionString)
    {
        var name = "dispatch_test_" + Guid.NewGuid().ToString("N")[..12];
        await using var conn = new MySqlConnection(adminConnectionString);
        await conn.OpenAsync();
        await conn.ExecuteAsync($"CREATE DATABASE `{name}`");
        return name;
    }

    public HospitalBuilder Hospital() => new(this);

    /// <summary>Presses the bed's call button: POST /api/calls with the bed device's key.</summary>
    public Task<HttpResponseMessage> RaiseAsync(TestBed bed, string kind = CallKinds.Normal) =>
        SendAsync(HttpMethod.Post, "/api/calls", body: new { bedId = bed.BedId, kind }, deviceKey: bed.DeviceKey);

    /// <summary>Raises a call that must be accepted, and returns it.</summary>
    public async Task<CallView> RaiseCallAsync(TestBed bed, string kind = CallKinds.Normal)
    {
        using var response = await RaiseAsync(bed, kind);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Raising a {kind} call at bed {bed.BedId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync<CallView>())!;
    }

    public async Task<string> LoginAsync(TestStaff staff)
    {
        var response = await Http.PostAsJsonAsync("/api/sessions", new LoginRequest(staff.Username, staff.Password));
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

    private sealed class DispatchServerFactory : WebApplicationFactory<Program>
    {
        public string ConnectionString { get; set; } = "";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Database:ConnectionString", ConnectionString);
            builder.UseSetting("Relay:PollIntervalMs", "100");
            builder.UseSetting("Relay:WardHeartbeatSeconds", "1");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<ConnectionRecorder>();
                services.Configure<HubOptions>(hub => hub.AddFilter<ConnectionRecorder>());
            });
        }
    }
}
