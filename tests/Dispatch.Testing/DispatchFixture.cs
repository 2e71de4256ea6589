using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Admin;
using MySqlConnector;

namespace Dispatch.Testing;

/// <summary>
/// A fresh MariaDB database (migrated with the real migrations) and a Dispatch.Server listening on
/// a real loopback socket, shared by the tests of the collection. The MariaDB server is the one
/// scripts/test.sh starts; DISPATCH_TEST_MYSQL points at it.
/// </summary>
public class DispatchFixture : IAsyncLifetime
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private DispatchServer _server = null!;
    private string _adminConnectionString = "";
    private string _database = "";

    public DispatchFixture() : this(new Dictionary<string, string>())
    {
    }

    /// <summary>A fixture whose server runs with <paramref name="settings"/> (configuration keys) on top of the defaults.</summary>
    protected DispatchFixture(IReadOnlyDictionary<string, string> settings) => _settings = settings;

    public MySqlDataSource DataSource { get; private set; } = null!;
    public string ConnectionString { get; private set; } = "";
    public Uri BaseAddress => _server.BaseAddress;
    public HttpClient Http => _server.Http;
    public IServiceProvider Services => _server.Services;

    public async Task InitializeAsync()
    {
        _adminConnectionString = AdminConnectionString();
        _database = await CreateDatabaseAsync(_adminConnectionString);
        ConnectionString = new MySqlConnectionStringBuilder(_adminConnectionString) { Database = _database }.ConnectionString;
        DataSource = new MySqlDataSource(ConnectionString);
        await new MigrationRunner(DataSource, MigrationsPath).UpAsync(CancellationToken.None);
        _server = StartServer();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (DataSource is not null)
        {
            await DataSource.DisposeAsync();
        }
        await using var conn = new MySqlConnection(_adminConnectionString);
        await conn.ExecuteAsync($"DROP DATABASE IF EXISTS `{_database}`");
    }

    /// <summary>Another server process on this fixture's database, with the same settings.</summary>
    public DispatchServer StartServer() => DispatchServer.Start(ConnectionString, _settings);

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
        await conn.ExecuteAsync($"CREATE DATABASE `{name}`");
        return name;
    }

    public HospitalBuilder Hospital() => new(DataSource);

    public Task<string> LoginAsync(TestStaff staff) => _server.LoginAsync(staff);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, object? body = null, string? deviceKey = null) =>
        _server.SendAsync(method, path, token, body, deviceKey);

    public Task<HttpResponseMessage> RaiseAsync(TestBed bed, string kind = CallKinds.Normal, string? idempotencyKey = null) =>
        _server.RaiseAsync(bed, kind, idempotencyKey);

    public Task<CallView> RaiseCallAsync(TestBed bed, string kind = CallKinds.Normal) => _server.RaiseCallAsync(bed, kind);
}
