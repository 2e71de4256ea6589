using Dapper;
using Dispatch.Server.Admin;
using MySqlConnector;

namespace Dispatch.Testing;

/// <summary>An empty database of a test's own, dropped when disposed; for tests that change the schema itself.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;
    private readonly string _name;

    private ScratchDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        _name = name;
        ConnectionString = new MySqlConnectionStringBuilder(adminConnectionString) { Database = name }.ConnectionString;
        DataSource = new MySqlDataSource(ConnectionString);
        Migrations = new MigrationRunner(DataSource, DispatchFixture.MigrationsPath);
    }

    public string Name => _name;
    public string ConnectionString { get; }
    public MySqlDataSource DataSource { get; }
    public MigrationRunner Migrations { get; }

    /// <param name="adminConnectionString">A user that may create dispatch_test_* databases; the test MariaDB's when null.</param>
    public static async Task<ScratchDatabase> CreateAsync(string? adminConnectionString = null)
    {
        var admin = adminConnectionString ?? DispatchFixture.AdminConnectionString();
        return new ScratchDatabase(admin, await DispatchFixture.CreateDatabaseAsync(admin));
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using var conn = new MySqlConnection(_adminConnectionString);
        await conn.ExecuteAsync($"DROP DATABASE IF EXISTS `{_name}`");
    }
}
