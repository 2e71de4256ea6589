using Dapper;
using Dispatch.Testing;
using Dispatch.Server.Admin;
using MySqlConnector;

namespace Dispatch.IntegrationTests;

public sealed class MigrationTests
{
    [Fact]
    public async Task EveryMigrationRollsBackAndReappliesCleanly()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var (runner, dataSource) = (database.Migrations, database.DataSource);
        var all = MigrationRunner.Discover(DispatchFixture.MigrationsPath).Select(m => m.Version).ToList();

        (await runner.UpAsync(CancellationToken.None)).Select(m => m.Version).Should().Equal(all);
        (await TablesAsync(dataSource)).Should().Contain(["calls", "events", "audit_log", "sessions", "staff"]);
        (await RoutinesAsync(dataSource)).Should().Contain("sp_assign_call_to_next_nurse");
        (await runner.UpAsync(CancellationToken.None)).Should().BeEmpty("nothing is pending");

        (await runner.DownAsync(0, CancellationToken.None)).Select(m => m.Version).Should().Equal(all.AsEnumerable().Reverse());
        (await TablesAsync(dataSource)).Should().Equal("schema_migrations");
        (await RoutinesAsync(dataSource)).Should().BeEmpty();

        (await runner.UpAsync(CancellationToken.None)).Select(m => m.Version).Should().Equal(all);
        (await runner.AppliedAsync(CancellationToken.None)).Should().Equal(all);
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(MySqlDataSource dataSource)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<string>("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()")).ToList();
    }

    private static async Task<IReadOnlyList<string>> RoutinesAsync(MySqlDataSource dataSource)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<string>("SELECT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE()")).ToList();
    }
}
