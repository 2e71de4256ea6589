using System.Diagnostics;
using Dapper;
using MySqlConnector;
using NetMQ;

namespace Dispatch.Testing;

/// <summary>
/// The scaled-out system as real processes on loopback: two Dispatch.Server nodes in Bridge mode
/// with the Redis backplane, two Dispatch.Bridge processes (one leads, one stands by) and nginx in
/// front, on a database of its own. Redis is the one scripts/test.sh starts, shared by the clusters
/// that tests run in parallel: their ward ids repeat, so this also checks that installations sharing
/// a Redis stay apart (the backplane prefix names the database). The nodes and bridges connect to
/// MariaDB as a user of their own, so their statements can be counted apart.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly ScratchDatabase _database;
    private readonly string _redis;
    private readonly Dictionary<string, NetMQCertificate> _nodeKeys = new()
    {
        ["node-a"] = new NetMQCertificate(),
        ["node-b"] = new NetMQCertificate(),
    };

    private LocalCluster(ScratchDatabase database, string redis)
    {
        _database = database;
        _redis = redis;
    }

    public NodeProcess NodeA { get; private set; } = null!;
    public NodeProcess NodeB { get; private set; } = null!;
    public NginxProcess Nginx { get; private set; } = null!;
    public List<BridgeProcess> Bridges { get; } = [];

    /// <summary>The bridges' CurveZMQ key pair (the leader and the standby share it).</summary>
    public NetMQCertificate BridgeKeys { get; } = new();

    /// <param name="redis">The backplane's address; the test Redis when null.</param>
    /// <param name="mariadb">A MariaDB of the test's own; the test MariaDB when null.</param>
    /// <param name="nodeASettings">Extra configuration of node A (e.g. its watchdog's).</param>
    /// <param name="supervised">Run the nodes under scripts/supervise.sh, which restarts a node that exits.</param>
    /// <param name="countedUser">
    /// Connect as the MariaDB user whose statements the query-rate test counts; a cluster started
    /// by another test assembly (which runs in parallel with this one) must not.
    /// </param>
    public static async Task<LocalCluster> StartAsync(
        string? redis = null, MariaDbProcess? mariadb = null, IReadOnlyDictionary<string, string>? nodeASettings = null,
        bool supervised = false, bool countedUser = true)
    {
        var database = await ScratchDatabase.CreateAsync(mariadb?.AdminConnectionString);
        await database.Migrations.UpAsync(CancellationToken.None);
        var cluster = new LocalCluster(database, redis ?? Environment.GetEnvironmentVariable("DISPATCH_TEST_REDIS")
            ?? throw new InvalidOperationException("DISPATCH_TEST_REDIS is not set. Run the tests with scripts/test.sh, which starts Redis."));
        var connection = new MySqlConnectionStringBuilder(
            mariadb?.ClusterConnectionString
            ?? Environment.GetEnvironmentVariable(countedUser ? "DISPATCH_TEST_MYSQL_CLUSTER" : "DISPATCH_TEST_MYSQL")
            ?? throw new InvalidOperationException("DISPATCH_TEST_MYSQL_CLUSTER is not set. Run the tests with scripts/test.sh."))
        { Database = database.Name }.ConnectionString;
        try
        {
            var nodeKeys = cluster._nodeKeys.ToDictionary(n => n.Key, n => n.Value.PublicKeyZ85);
            cluster.Bridges.Add(BridgeProcess.Start(connection, cluster.BridgeKeys.SecretKeyZ85!, nodeKeys));
            cluster.Bridges.Add(BridgeProcess.Start(connection, cluster.BridgeKeys.SecretKeyZ85!, nodeKeys));
            Task<NodeProcess>[] nodes =
            [
                NodeProcess.StartAsync(connection, cluster.NodeSettings("node-a", nodeASettings), supervised ? "node-a" : null),
                NodeProcess.StartAsync(connection, cluster.NodeSettings("node-b"), supervised ? "node-b" : null),
            ];
            try
            {
                await Task.WhenAll(nodes);
            }
            finally
            {
                // WhenAll has waited for both: keep whichever started, so that a failed start stops it below.
                cluster.NodeA = nodes[0].IsCompletedSuccessfully ? nodes[0].Result : null!;
                cluster.NodeB = nodes[1].IsCompletedSuccessfully ? nodes[1].Result : null!;
            }
            cluster.Nginx = NginxProcess.Start(cluster.NodeA.BaseAddress, cluster.NodeB.BaseAddress);
            await cluster.WaitForLeaderHearingAsync(nodes: 2, TimeSpan.FromSeconds(30));
            return cluster;
        }
        catch
        {
            // A cluster that did not come up must not leave its processes running.
            await cluster.DisposeAsync();
            throw;
        }
    }

    public HospitalBuilder Hospital() => new(_database.DataSource);

    /// <summary>Statements the cluster's nodes and bridges have sent to MariaDB so far.</summary>
    public async Task<long> ClusterStatementsAsync()
    {
        await using var conn = await _database.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("""
            SELECT SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS
            FROM information_schema.USER_STATISTICS WHERE USER = 'dispatch_cluster'
            """);
    }

    /// <summary>
    /// The bridges are other processes with nothing to await: read their /healthz until one leads
    /// and hears <paramref name="nodes"/> nodes (bounded), and fail saying what they reported.
    /// </summary>
    public async Task<BridgeProcess> WaitForLeaderHearingAsync(int nodes, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (clock.Elapsed < timeout)
        {
            foreach (var bridge in Bridges.Where(b => !b.HasExited))
            {
                var health = await bridge.HealthAsync();
                seen = $"{health}";
                if (health is ("leading", var live) && live == nodes)
                {
                    return bridge;
                }
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No bridge led with {nodes} nodes within {timeout}; last health: {seen}");
    }

    /// <summary>Stops whatever of the cluster is running (also a cluster that did not finish starting).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var part in new IAsyncDisposable?[] { Nginx, NodeA, NodeB })
        {
            if (part is not null)
            {
                await part.DisposeAsync();
            }
        }
        foreach (var bridge in Bridges)
        {
            await bridge.DisposeAsync();
        }
        await _database.DisposeAsync();
    }

    private Dictionary<string, string> NodeSettings(string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Realtime:Mode"] = "Bridge",
            ["Realtime:Redis"] = _redis,
            ["Realtime:BridgeEndpoints:0"] = Bridges[0].Endpoint,
            ["Realtime:BridgeEndpoints:1"] = Bridges[1].Endpoint,
            ["Realtime:NodeName"] = name,
            ["Realtime:BridgePublicKey"] = BridgeKeys.PublicKeyZ85,
            ["Realtime:NodeSecretKey"] = _nodeKeys[name].SecretKeyZ85!,
            ["Web:Root"] = Path.Combine(Repository.Root, "web", "dist"),
            // The test stations do not send display receipts (the board does); no display alarms here.
            ["Display:AlarmSeconds"] = "3600",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        return settings;
    }
}
