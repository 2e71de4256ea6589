using System.Net;
using Dapper;
using Dispatch.Server.Sessions;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using MySqlConnector;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The polling fallback on a real MariaDB read replica (GTID replication between two servers of
/// the test's own): its reads leave the primary, and come back to it, without an error to the
/// client, when the replica stops or lags. In the cluster collection: its three servers take ports
/// and cores that the other process-starting tests need too, so they take turns.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReplicaReadTests
{
    private const int Polls = 500;

    [Fact]
    public async Task FiveHundredPollsReadTheReplicaNotThePrimaryAndAStoppedOrLaggingReplicaHandsThemBackToThePrimaryWithoutAnError()
    {
        await using var primary = await MariaDbProcess.StartAsync(primary: true);
        await using var replica = await MariaDbProcess.StartReplicaOfAsync(primary);
        await using var database = await ScratchDatabase.CreateAsync(primary.AdminConnectionString);
        await database.Migrations.UpAsync(CancellationToken.None);
        var onReplica = new MySqlConnectionStringBuilder(replica.AdminConnectionString) { Database = database.Name }.ConnectionString;
        await using var server = DispatchServer.Start(database.ConnectionString, new Dictionary<string, string>
        {
            ["Database:ReplicaConnectionString"] = onReplica,
            ["Database:ReplicaCheckMs"] = "200",
        });
        var ward = await new HospitalBuilder(database.DataSource).WardAsync(nurses: 1, beds: 3);
        var token = await server.LoginAsync(ward.Nurses[0]);
        var first = await server.RaiseCallAsync(ward.Beds[0]);
        await Eventually.UntilAsync(async () => (await PollAsync(server, token, ward.WardId)).Contains($"\"callId\":{first.Id}", StringComparison.Ordinal)
            && await ReadsAsync(server, "replica") > 0, "the replica serving the call", TimeSpan.FromSeconds(20));

        // 500 screens' polls: the primary's statement count does not grow with them.
        var before = (Statements: await StatementsAsync(primary), Replica: await ReadsAsync(server, "replica"));
        await Task.WhenAll(Enumerable.Range(0, Polls).Select(_ => PollAsync(server, token, ward.WardId)));
        var after = (Statements: await StatementsAsync(primary), Replica: await ReadsAsync(server, "replica"));
        Console.WriteLine($"{Polls} polls of GET /api/events: {after.Replica - before.Replica} served by the replica; " +
            $"{after.Statements - before.Statements} statements on the primary meanwhile (the node's own background work)");
        before.Statements.Should().BePositive("the primary counts this user's statements (userstat), the set-up's among them");
        (after.Replica - before.Replica).Should().Be(Polls);
        (after.Statements - before.Statements).Should().BeLessThan(Polls / 5, "the polls are read on the replica");

        // The KPIs and the ops summary may lag a second as well: read there too.
        var admin = await server.LoginAsync(await new HospitalBuilder(database.DataSource).StaffAsync(StaffUser.Admin, wardId: null));
        foreach (var path in new[] { "/api/kpis", "/api/ops/summary" })
        {
            using var figures = await server.SendAsync(HttpMethod.Get, path, admin);
            figures.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        (await ReadsAsync(server, "replica", "kpis")).Should().Be(1);
        (await ReadsAsync(server, "replica", "ops")).Should().Be(1);

        // Replication paused (SQL thread stopped): the replica lags, the primary answers, gap-free.
        await replica.RootAsync("STOP SLAVE SQL_THREAD");
        var second = await server.RaiseCallAsync(ward.Beds[1]);
        await Eventually.UntilAsync(async () => (await PollAsync(server, token, ward.WardId)).Contains($"\"callId\":{second.Id}", StringComparison.Ordinal),
            "the lagging replica handing the polls back to the primary", TimeSpan.FromSeconds(20));
        var primaryReads = await ReadsAsync(server, "primary");
        primaryReads.Should().BePositive();

        await replica.RootAsync("START SLAVE SQL_THREAD");

        // A station's resync while the replica is a moment behind but counted healthy (this node
        // checks it at its start and then every 10 s; the steps below take about a second): the bulk from the replica, the tail it has not
        // applied from the primary, gap-free to the end of the ward's outbox.
        await using (var resyncing = DispatchServer.Start(database.ConnectionString, new Dictionary<string, string>
        {
            ["Database:ReplicaConnectionString"] = onReplica,
            ["Database:ReplicaCheckMs"] = "10000",
        }))
        {
            await Eventually.UntilAsync(async () => (await PollAsync(resyncing, token, ward.WardId)).Contains($"\"callId\":{second.Id}", StringComparison.Ordinal)
                && await ReadsAsync(resyncing, "replica") > 0, "the replica caught up and counted healthy", TimeSpan.FromSeconds(20));
            await replica.RootAsync("STOP SLAVE SQL_THREAD");
            var late = await server.RaiseCallAsync(ward.Beds[2]);
            await using var station = await StationProbe.SubscribeAsync(resyncing.BaseAddress, token, ward.WardId);
            var resync = await station.Connection.InvokeAsync<IReadOnlyList<Dispatch.Contracts.WardEvent>>(
                Dispatch.Contracts.DispatchHubMethods.Resync, ward.WardId, 0L);
            resync.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, resync.Count).Select(n => (long)n), "no gap");
            resync.Should().Contain(e => e.CallId == late.Id, "the tail the replica has not applied, read on the primary");
            resync[^1].Seq.Should().Be(station.Snapshot.Seq, "up to the end of the ward's outbox");
            (await ReadsAsync(resyncing, "replica", "resync")).Should().Be(1, "the bulk was read on the replica");
            await replica.RootAsync("START SLAVE SQL_THREAD");
        }

        // The replica stopped: every poll is still answered, from the primary within a second.
        await replica.StopAsync();
        var third = await server.RaiseCallAsync(ward.Beds[0], Dispatch.Contracts.CallKinds.StaffAssist);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string answer;
        do
        {
            answer = await PollAsync(server, token, ward.WardId);
        }
        while (!answer.Contains($"\"callId\":{third.Id}", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(5));
        Console.WriteLine($"Replica stopped: the next call was polled from the primary after {clock.ElapsedMilliseconds} ms, no poll refused");
        answer.Should().Contain($"\"callId\":{third.Id}");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(500), "within a second, with a check every 200 ms");
    }

    /// <summary>One poll, as a screen without its WebSocket does it; a refusal fails the test.</summary>
    private static async Task<string> PollAsync(DispatchServer server, string token, int wardId)
    {
        using var response = await server.SendAsync(HttpMethod.Get, $"/api/events?ward={wardId}&after=0", token);
        response.StatusCode.Should().Be(HttpStatusCode.OK, "a poll is never refused for the replica's sake");
        return await response.Content.ReadAsStringAsync();
    }

    private static Task<double> ReadsAsync(DispatchServer server, string source, string read = "polling") =>
        MetricsText.SumAsync(server.Http, series => series == $"dispatch_replica_reads_total{{read=\"{read}\",source=\"{source}\"}}");

    private static async Task<long> StatementsAsync(MariaDbProcess mariadb)
    {
        await using var conn = new MySqlConnection(mariadb.AdminConnectionString);
        return await conn.ExecuteScalarAsync<long>(
            "SELECT SELECT_COMMANDS + UPDATE_COMMANDS + OTHER_COMMANDS FROM information_schema.USER_STATISTICS WHERE USER = 'dispatch_test'");
    }
}
