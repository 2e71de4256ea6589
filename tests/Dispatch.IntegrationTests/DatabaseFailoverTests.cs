using System.Net;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Testing;
using MySqlConnector;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The database host fails and the replica is promoted, by the steps of
/// docs/runbooks/database-failover.md, under a node whose connection string names both hosts
/// (Server=first,second;LoadBalance=FailOver). Real GTID replication between two MariaDB servers
/// of the test's own, on two loopback addresses; in the cluster collection, as they take ports and cores.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DatabaseFailoverTests
{
    [Fact]
    public async Task WhenThePrimaryDiesRaisesAre503UntilTheReplicaIsPromotedThenSucceedThereNoneHalfWrittenAndTheLeadResumes()
    {
        await using var primary = await MariaDbProcess.StartAsync(primary: true);
        await using var replica = await MariaDbProcess.StartReplicaOfAsync(primary, onOwnAddress: true);
        // Not dropped at the end: its first host is gone, and both servers' data folders go with them.
        var database = await ScratchDatabase.CreateAsync(primary.AdminConnectionString);
        await using var pool = database.DataSource;
        await database.Migrations.UpAsync(CancellationToken.None);
        var bothHosts = new MySqlConnectionStringBuilder(database.ConnectionString)
        {
            Server = "127.0.0.1,127.0.0.2",
            LoadBalance = MySqlLoadBalance.FailOver,
            ConnectionTimeout = 2,
        }.ConnectionString;
        await using var server = DispatchServer.Start(bothHosts, new Dictionary<string, string>
        {
            // The first call escalates while the switch goes on: the sweep, run by the node that
            // holds the lead (a named lock), must take it again on the new primary.
            ["Escalation:Level1Seconds"] = "4",
            ["Escalation:Level2Seconds"] = "600",
            ["Escalation:Level3Seconds"] = "1200",
        });
        var ward = await new HospitalBuilder(database.DataSource).WardAsync(nurses: 2, beds: 3);
        await using var station = await StationProbe.SubscribeAsync(server.BaseAddress, await server.LoginAsync(ward.Nurses[0]), ward.WardId);
        var first = await server.RaiseCallAsync(ward.Beds[0]);
        await WaitForReplicaToCatchUpAsync(primary, replica);

        // The primary's host dies. The node's next connections go to the second host (its health
        // check reads there), which is read-only until it is promoted: every raise is a clean 503
        // ("nothing was saved"), not a 500.
        await primary.StopAsync();
        await Eventually.UntilAsync(async () =>
        {
            using var health = await server.Http.GetAsync("/healthz");
            return (await health.Content.ReadAsStringAsync()).Contains("\"db_ok\":true", StringComparison.Ordinal);
        }, "the node reading from the second host", TimeSpan.FromSeconds(10));
        var refused = 0;
        for (var i = 0; i < 3; i++)
        {
            using var response = await server.RaiseAsync(ward.Beds[1]);
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "neither host takes a write during the switch");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            refused++;
        }

        // The runbook's promotion.
        await replica.RootAsync("STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = 0;");
        var promoted = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            using var response = await server.RaiseAsync(ward.Beds[1]);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.Created && promoted.Elapsed < TimeSpan.FromSeconds(10));
        status.Should().Be(HttpStatusCode.Created, "the node's next connection goes to the second host, now the primary");
        Console.WriteLine($"Primary stopped: {refused} raises answered 503; after the promotion the next raise succeeded in {promoted.ElapsedMilliseconds} ms");

        var second = await station.WaitForAsync(e => e.Type == EventTypes.CallRaised && e.Call!.BedId == ward.Beds[1].BedId,
            "the call raised on the new primary, relayed from its outbox", TimeSpan.FromSeconds(10));
        await station.WaitForAsync(e => e.Type == EventTypes.CallEscalated && e.CallId == first.Id,
            "the first call escalated by the lead, taken again on the new primary", TimeSpan.FromSeconds(15));

        await using var onNewPrimary = new MySqlConnection(new MySqlConnectionStringBuilder(replica.AdminConnectionString) { Database = database.Name }.ConnectionString);
        (await onNewPrimary.QueryAsync<long>("SELECT id FROM calls ORDER BY id")).Should().Equal([first.Id, second.CallId!.Value],
            "the refused raises wrote nothing");
        (await onNewPrimary.ExecuteScalarAsync<long>("""
            SELECT COUNT(*) FROM calls c
            WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.call_id = c.id AND e.type = 'call_raised')
               OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.call_id = c.id AND a.action = 'call_raised')
            """)).Should().Be(0, "each call was written whole, with its event and its audit row");
        station.Events.Select(e => e.Seq).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    private static async Task WaitForReplicaToCatchUpAsync(MariaDbProcess primary, MariaDbProcess replica)
    {
        await using var onPrimary = new MySqlConnection(primary.AdminConnectionString);
        var position = await onPrimary.ExecuteScalarAsync<string>("SELECT @@gtid_binlog_pos");
        await using var onReplica = new MySqlConnection(replica.AdminConnectionString);
        await Eventually.UntilAsync(async () => await onReplica.ExecuteScalarAsync<string>("SELECT @@gtid_slave_pos") == position,
            $"the replica at the primary's position {position}", TimeSpan.FromSeconds(10));
    }
}
