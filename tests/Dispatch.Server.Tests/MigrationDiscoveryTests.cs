using Dispatch.Server.Admin;


namespace Dispatch.Server.Tests;

public sealed class MigrationDiscoveryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dispatch-migrations-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void MigrationsAreOrderedByVersionWithTheirDownScripts()
    {
        Touch("010_later.up.sql", "010_later.down.sql", "002_first.up.sql", "002_first.down.sql");

        var migrations = MigrationRunner.Discover(_folder);

        migrations.Select(m => (m.Version, m.Name)).Should().Equal((2, "first"), (10, "later"));
        migrations[0].DownPath.Should().EndWith("002_first.down.sql");
    }

    [Fact]
    public void AnUpScriptWithoutADownScriptIsRefused()
    {
        Touch("001_one.up.sql");

        var discover = () => MigrationRunner.Discover(_folder);

        discover.Should().Throw<InvalidOperationException>().WithMessage("*001_one.down.sql*");
    }

    [Fact]
    public void TwoScriptsWithTheSameVersionAreRefused()
    {
        Touch("001_one.up.sql", "001_one.down.sql", "001_other.up.sql", "001_other.down.sql");

        var discover = () => MigrationRunner.Discover(_folder);

        discover.Should().Throw<InvalidOperationException>().WithMessage("*version 1*");
    }

    [Fact]
    public void AStrayFileNameIsRefused()
    {
        Touch("001_one.up.sql", "001_one.down.sql", "fix.sql");

        var discover = () => MigrationRunner.Discover(_folder);

        discover.Should().Throw<InvalidOperationException>().WithMessage("*'fix.sql'*");
    }

    [Fact]
    public void TheShippedMigrationsAreWellFormed()
    {
        var shipped = MigrationRunner.Discover(Path.Combine(AppContext.BaseDirectory, "db", "migrations"));

        shipped.Should().NotBeEmpty();
        shipped.Select(m => m.Version).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    private void Touch(params string[] names)
    {
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(_folder, name), "SELECT 1;");
        }
    }
}
