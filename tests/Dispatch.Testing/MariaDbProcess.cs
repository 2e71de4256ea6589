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
    private readonly string _host;
    private readonly int _port;
    private readonly string _password;
    private readonly string _serverOptions;

    private MariaDbProcess(string dir, string host, int port, string password, string serverOptions)
    {
        _dir = dir;
        _host = host;
        _port = port;
        _password = password;
        _serverOptions = serverOptions;
    }

    public int Port => _port;

    /// <summary>The test user, owner of dispatch_test_* databases.</summary>
    public string AdminConnectionString => Connection("dispatch_test");

    /// <summary>The user the cluster's nodes and bridges connect as.</summary>
    public string ClusterConnectionString => Connection("dispatch_cluster");

    /// <param name="primary">A primary that a replica can follow: binary log on, server id 1.</param>
    public static async Task<MariaDbProcess> StartAsync(bool primary = false)
    {
        var mariadb = new MariaDbProcess(Directory.CreateTempSubdirectory("dispatch-mariadb-").FullName, "127.0.0.1", ExternalProcess.FreeLoopbackPort(),
            Secrets.NewToken()[..20], primary ? "--log-bin=mariadb-bin --server-id=1 --binlog-format=ROW" : "");
        await mariadb.StartAgainAsync();
        await mariadb.ScriptAsync($"""
            ensure_db_user "$dir" dispatch_test "{mariadb._password}" 'dispatch\_test\_%'
            ensure_db_user "$dir" dispatch_cluster "{mariadb._password}" 'dispatch\_test\_%'
            mariadb_root "$dir" "GRANT PROCESS ON *.* TO 'dispatch_test'@'127.0.0.1'"
            """);
        return mariadb;
    }

    /// <summary>
    /// A read replica of <paramref name="primary"/> (GTID replication from the primary's first
    /// binlog event, so its users and databases arrive with the rest), with the same users. With
    /// <paramref name="onOwnAddress"/> it listens on 127.0.0.2 at the primary's port, as a second
    /// database host would: a connection string can then name both (Server=127.0.0.1,127.0.0.2).
    /// </summary>
    public static async Task<MariaDbProcess> StartReplicaOfAsync(MariaDbProcess primary, bool onOwnAddress = false)
    {
        await primary.ScriptAsync($"""
            mariadb_root "$dir" "CREATE USER IF NOT EXISTS 'replicator'@'127.0.0.1' IDENTIFIED BY '{primary._password}';
              GRANT REPLICATION SLAVE ON *.* TO 'replicator'@'127.0.0.1';
              GRANT SLAVE MONITOR ON *.* TO 'dispatch_test'@'127.0.0.1'; GRANT SLAVE MONITOR ON *.* TO 'dispatch_cluster'@'127.0.0.1';"
            """);
        var (host, port) = onOwnAddress ? ("127.0.0.2", primary._port) : ("127.0.0.1", ExternalProcess.FreeLoopbackPort());
        var replica = new MariaDbProcess(Directory.CreateTempSubdirectory("dispatch-mariadb-replica-").FullName, host, port,
            primary._password, $"--server-id=2 --read-only=1 --log-bin=mariadb-bin --binlog-format=ROW --bind-address={host}");
        await replica.StartAgainAsync();
        await replica.RootAsync($"""
            CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT={primary._port}, MASTER_USER='replicator',
              MASTER_PASSWORD='{primary._password}', MASTER_USE_GTID=slave_pos;
            START SLAVE;
            """);
        return replica;
    }

    /// <summary>Runs SQL as the server's root (over its unix socket).</summary>
    public Task RootAsync(string sql) => ScriptAsync($"mariadb_root \"$dir\" \"{sql.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");

    public Task StartAgainAsync() => ScriptAsync($"""start_mariadb "$dir" "$port" {_serverOptions}""");

    public Task StopAsync() => ScriptAsync("""stop_services "$dir" """);

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private string Connection(string user) =>
        new MySqlConnectionStringBuilder { Server = _host, Port = (uint)_port, UserID = user, Password = _password }.ConnectionString;

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
