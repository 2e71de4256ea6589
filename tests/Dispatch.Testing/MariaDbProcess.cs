using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Testing;

/// <summary>
/// A MariaDB server of a test's own (the shared one cannot be restarted under the other tests),
/// started and stopped with the same script functions as scripts/run.sh and scripts/test.sh.
/// </summary>
public sealed class MariaDbProcess : IAsyncDisposable
{
    private readonly string _dir;
    private readonly int _port;
    private readonly string _password = Secrets.NewToken()[..20];

    private MariaDbProcess(string dir, int port)
    {
        _dir = dir;
        _port = port;
    }

    /// <summary>The test user, owner of dispatch_test_* databases.</summary>
    public string AdminConnectionString => Connection("dispatch_test");

    /// <summary>The user the cluster's nodes and bridges connect as.</summary>
    public string ClusterConnectionString => Connection("dispatch_cluster");

    public static async Task<MariaDbProcess> StartAsync()
    {
        var mariadb = new MariaDbProcess(Directory.CreateTempSubdirectory("dispatch-mariadb-").FullName, ExternalProcess.FreeLoopbackPort());
        await mariadb.StartAgainAsync();
        await mariadb.ScriptAsync($"""
            ensure_db_user "$dir" dispatch_test "{mariadb._password}" 'dispatch\_test\_%'
            ensure_db_user "$dir" dispatch_cluster "{mariadb._password}" 'dispatch\_test\_%'
            """);
        return mariadb;
    }

    public Task StartAgainAsync() => ScriptAsync("""start_mariadb "$dir" "$port" """);

    public Task StopAsync() => ScriptAsync("""stop_services "$dir" """);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Connection(string user) =>
        new MySqlConnectionStringBuilder { Server = "127.0.0.1", Port = (uint)_port, UserID = user, Password = _password }.ConnectionString;

    private async Task ScriptAsync(string commands)
    {
        var (exitCode, output) = await ExternalProcess.RunAsync("bash", Repository.Root, "-c",
            $"dir='{_dir}'; port={_port}; source scripts/lib/services.sh; {commands}");
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"MariaDB script failed ({exitCode}): {output}");
        }
    }
}
