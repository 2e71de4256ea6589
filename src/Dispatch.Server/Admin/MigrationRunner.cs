using System.Globalization;
using System.Text.RegularExpressions;
using Dapper;
using MySqlConnector;

namespace Dispatch.Server.Admin;

/// <summary>One versioned schema change: NNN_name.up.sql and its NNN_name.down.sql.</summary>
public sealed record Migration(int Version, string Name, string UpPath, string DownPath);

/// <summary>
/// Applies db/migrations in version order and records each in schema_migrations. MariaDB commits
/// DDL implicitly, so each script is written to be re-runnable by its down script, and one script
/// is one step: a failure stops the run with the failed version named and earlier steps recorded.
/// </summary>
public sealed partial class MigrationRunner(MySqlDataSource dataSource, string migrationsPath)
{
    public static IReadOnlyList<Migration> Discover(string path)
    {
        var files = Directory.GetFiles(path, "*.sql").Select(Path.GetFileName).OfType<string>().ToHashSet();
        var migrations = new List<Migration>();
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var match = UpScript().Match(file);
            if (!match.Success)
            {
                if (!DownScript().IsMatch(file))
                {
                    throw new InvalidOperationException($"'{file}' is not named NNN_name.up.sql or NNN_name.down.sql.");
                }
                continue;
            }
            var stem = file[..^".up.sql".Length];
            if (!files.Contains(stem + ".down.sql"))
            {
                throw new InvalidOperationException($"Migration '{file}' has no '{stem}.down.sql'.");
            }
            migrations.Add(new Migration(
                int.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                Path.Combine(path, file),
                Path.Combine(path, stem + ".down.sql")));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}.");
        }
        return migrations.OrderBy(m => m.Version).ToList();
    }

    public async Task<IReadOnlyList<int>> AppliedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await EnsureHistoryTableAsync(conn, ct);
        var applied = await conn.QueryAsync<int>(new CommandDefinition(
            "SELECT version FROM schema_migrations ORDER BY version", cancellationToken: ct));
        return applied.ToList();
    }

    /// <summary>Applies every migration not yet applied, oldest first. Returns what it applied.</summary>
    public async Task<IReadOnlyList<Migration>> UpAsync(CancellationToken ct)
    {
        var applied = (await AppliedAsync(ct)).ToHashSet();
        var pending = Discover(migrationsPath).Where(m => !applied.Contains(m.Version)).ToList();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        foreach (var migration in pending)
        {
            await ExecuteScriptAsync(conn, migration.UpPath, ct);
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name) VALUES (@Version, @Name)",
                new { migration.Version, migration.Name }, cancellationToken: ct));
        }
        return pending;
    }

    /// <summary>Rolls back applied migrations newer than <paramref name="targetVersion"/>, newest first.</summary>
    public async Task<IReadOnlyList<Migration>> DownAsync(int targetVersion, CancellationToken ct)
    {
        var applied = (await AppliedAsync(ct)).ToHashSet();
        var rollback = Discover(migrationsPath)
            .Where(m => m.Version > targetVersion && applied.Contains(m.Version))
            .OrderByDescending(m => m.Version)
            .ToList();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        foreach (var migration in rollback)
        {
            await ExecuteScriptAsync(conn, migration.DownPath, ct);
            await conn.ExecuteAsync(new CommandDefinition(
                "DELETE FROM schema_migrations WHERE version = @Version",
                new { migration.Version }, cancellationToken: ct));
        }
        return rollback;
    }

    private static async Task ExecuteScriptAsync(MySqlConnection conn, string path, CancellationToken ct)
    {
        // The server parses the script (multi-statement), so compound statements such as
        // CREATE PROCEDURE ... BEGIN ...; END need no client-side DELIMITER.
        var sql = await File.ReadAllTextAsync(path, ct);
        try
        {
            await conn.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
        }
        catch (MySqlException e)
        {
            throw new InvalidOperationException($"Migration script '{Path.GetFileName(path)}' failed: {e.Message}", e);
        }
    }

    private static Task<int> EnsureHistoryTableAsync(MySqlConnection conn, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
              version     INT NOT NULL PRIMARY KEY,
              name        VARCHAR(128) NOT NULL,
              applied_at  DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
            ) ENGINE=InnoDB
            """, cancellationToken: ct));

    [GeneratedRegex(@"^(?<version>\d{3,})_(?<name>[a-z0-9_]+)\.up\.sql$")]
    private static partial Regex UpScript();

    [GeneratedRegex(@"^\d{3,}_[a-z0-9_]+\.down\.sql$")]
    private static partial Regex DownScript();
}
