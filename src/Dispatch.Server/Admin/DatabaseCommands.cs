using System.Globalization;
using Dispatch.Server.Audit;
using Dispatch.Server.Hospital;
using Dispatch.Server.Infrastructure;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Admin;

/// <summary>
/// The server binary's maintenance verbs, so that deployments migrate with the same binary and
/// configuration they run with:
///   Dispatch.Server migrate up | migrate down VERSION | migrate status
///   Dispatch.Server seed-demo CREDENTIALS_FILE
///   Dispatch.Server hospital import HOSPITAL_FILE SECRETS_FILE | hospital roster ROSTER_FILE
///   Dispatch.Server purge [--older-than DAYS]
/// </summary>
public static class DatabaseCommands
{
    public static bool IsCommand(string[] args) => args is ["migrate", ..] or ["seed-demo", ..] or ["hospital", ..] or ["purge", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        // Configuration comes from appsettings and the environment (Database__ConnectionString).
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddInfrastructure();
        builder.Services.AddValidatedOptions<RetentionOptions>(RetentionOptions.Section);
        using var host = builder.Build();
        var dataSource = host.Services.GetRequiredService<MySqlDataSource>();
        var options = host.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var runner = new MigrationRunner(dataSource, options.MigrationsPath);
        // Bounded, so a command stuck on a lock ends; long enough for a large hospital's import or purge.
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));

        switch (args)
        {
            case ["migrate", "up", ..]:
                foreach (var m in await runner.UpAsync(cts.Token))
                {
                    Console.WriteLine($"applied {m.Version:000}_{m.Name}");
                }
                Console.WriteLine("schema is up to date");
                return 0;
            case ["migrate", "down", var target, ..] when int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out var version):
                foreach (var m in await runner.DownAsync(version, cts.Token))
                {
                    Console.WriteLine($"rolled back {m.Version:000}_{m.Name}");
                }
                Console.WriteLine($"schema is at version {version}");
                return 0;
            case ["migrate", "status", ..]:
                var applied = (await runner.AppliedAsync(cts.Token)).ToHashSet();
                foreach (var m in MigrationRunner.Discover(options.MigrationsPath))
                {
                    Console.WriteLine($"{(applied.Contains(m.Version) ? "applied" : "pending"),-8} {m.Version:000}_{m.Name}");
                }
                return 0;
            case ["seed-demo", var credentialsFile, ..]:
                return await DemoHospitalSeed.RunAsync(dataSource, credentialsFile, cts.Token);
            case ["hospital", "import", var hospitalFile, var secretsFile]:
                return await ImportHospitalAsync(dataSource, hospitalFile, secretsFile, cts.Token);
            case ["hospital", "roster", var rosterFile]:
                return await ImportAsync(rosterFile, RosterFileReader.Parse, new HospitalRoster(dataSource).RunAsync, cts.Token);
            case ["purge"]:
                try
                {
                    return await PurgeAsync(dataSource, host.Services.GetRequiredService<IOptions<RetentionOptions>>().Value.Days, cts.Token);
                }
                catch (OptionsValidationException e)
                {
                    await Console.Error.WriteLineAsync($"nothing was purged: Retention:Days {e.Message}");
                    return 1;
                }
            case ["purge", "--older-than", var days] when int.TryParse(days, NumberStyles.None, CultureInfo.InvariantCulture, out var olderThan):
                return await PurgeAsync(dataSource, olderThan, cts.Token);
            default:
                await Console.Error.WriteLineAsync("usage: Dispatch.Server migrate up | migrate down VERSION | migrate status | seed-demo CREDENTIALS_FILE" +
                    " | hospital import HOSPITAL_FILE SECRETS_FILE | hospital roster ROSTER_FILE | purge [--older-than DAYS]");
                return 2;
        }
    }

    private static async Task<int> PurgeAsync(MySqlDataSource dataSource, int olderThanDays, CancellationToken ct)
    {
        if (olderThanDays < RetentionOptions.ShortestDays)
        {
            await Console.Error.WriteLineAsync($"nothing was purged: keep at least {RetentionOptions.ShortestDays} days (the KPIs and the audit API read them)");
            return 1;
        }
        var result = await new AuditRetention(dataSource).PurgeAsync(olderThanDays, ct);
        Console.WriteLine($"purged rows older than {olderThanDays} days: {result.Events} events, {result.Receipts} display receipts, {result.Pages} pages, {result.AuditRows} audit rows" +
            " (rows of calls open or resolved since were kept)");
        return 0;
    }

    private static async Task<int> ImportHospitalAsync(MySqlDataSource dataSource, string hospitalFile, string secretsFile, CancellationToken ct)
    {
        var exitCode = await ImportAsync(hospitalFile, HospitalFileReader.Parse, (file, token) => new HospitalImport(dataSource).RunAsync(file, secretsFile, token), ct);
        if (exitCode == 0)
        {
            Console.WriteLine($"the secrets of what was added are in {secretsFile} (mode 0600): hand them out, then delete it");
        }
        return exitCode;
    }

    /// <summary>Exit code 0 with what the import did; 1 with every problem, having changed nothing.</summary>
    private static async Task<int> ImportAsync<TFile>(
        string path, Func<string, (TFile? File, string? Error)> parse, Func<TFile, CancellationToken, Task<ImportResult>> import, CancellationToken ct)
        where TFile : class
    {
        var result = ImportResult.Refused("No such file.");
        if (File.Exists(path))
        {
            var (file, error) = parse(await File.ReadAllTextAsync(path, ct));
            result = file is null ? ImportResult.Refused(error!) : await import(file, ct);
        }
        if (!result.Succeeded)
        {
            await Console.Error.WriteLineAsync($"{path}: nothing was imported:");
            foreach (var problem in result.Problems)
            {
                await Console.Error.WriteLineAsync("  " + problem);
            }
            return 1;
        }
        Console.WriteLine($"imported {path}: {result.Summary}");
        return 0;
    }
}
