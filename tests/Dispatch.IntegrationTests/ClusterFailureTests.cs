using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>Each test breaks a cluster of its own (run in the cluster collection: see <see cref="ClusterCollection"/>).</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFailureTests
{
    [Fact]
    public async Task WhenAHubNodeIsKilledItsStationsReconnectThroughNginxToTheOtherNodeAndMissNothing()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: 5);
        var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
        var stations = await StationsBehindNginxAsync(cluster, token, ward.WardId);
        // Beside the shipped client, stations written from docs/protocol.md alone, from the same subnets.
        var fromTheDocs = new List<ProtocolDocClient>();
        try
        {
            for (var subnet = 1; subnet <= 8; subnet++)
            {
                var source = LoopbackSource.Subnet(subnet);
                var station = new ProtocolDocClient(cluster.Nginx.BaseAddress, token, options => options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token));
                fromTheDocs.Add(station);
                await station.StartAsync();
                await station.SubscribeAsync(ward.WardId, after: null);
            }
            var onA = await cluster.NodeA.HubConnectionsAsync();
            onA.Should().BeGreaterThanOrEqualTo(2, "stations of both clients must be on the node that dies");

            var calls = new List<CallView> { await cluster.NodeB.RaiseCallAsync(ward.Beds[0]) };
            await AllReceivedAsync(stations, calls.Count);

            cluster.NodeA.Kill();
            for (var i = 0; i < 3; i++)
            {
                calls.Add(await cluster.NodeB.RaiseCallAsync(ward.Beds[i + 1]));
            }

            await AllReceivedAsync(stations, calls.Count);
            foreach (var (_, received) in stations)
            {
                received.Events.Select(e => e.CallId!.Value).Should().Equal(calls.Select(c => c.Id), "every call once, in order, across the move");
                received.Events.Select(e => e.Seq).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            }
            foreach (var station in fromTheDocs)
            {
                await station.WaitForShownAsync(calls.Count, TimeSpan.FromSeconds(30));
                station.Shown.Select(e => e.CallId!.Value).Should().Equal(calls.Select(c => c.Id), "the station written from the docs moved as well");
            }
            (await cluster.NodeB.HubConnectionsAsync()).Should().Be(16, "every station moved to the surviving node");
            Console.WriteLine($"Killed node A with {onA} of 16 stations (8 on Dispatch.Client, 8 written from docs/protocol.md); all resumed on node B with nothing missed or doubled");
        }
        finally
        {
            foreach (var (client, _) in stations)
            {
                await client.DisposeAsync();
            }
            foreach (var station in fromTheDocs)
            {
                await station.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WhenRedisRestartsTheStationsRepairTheGapAndMissNothing()
    {
        await using var redis = await RedisProcess.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(redis.Address);
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: 5);
        var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
        var stations = await StationsBehindNginxAsync(cluster, token, ward.WardId);
        try
        {
            var calls = new List<CallView> { await cluster.NodeB.RaiseCallAsync(ward.Beds[0]) };
            await AllReceivedAsync(stations, calls.Count);

            await redis.StopAsync();
            for (var i = 0; i < 3; i++)
            {
                calls.Add(await cluster.NodeB.RaiseCallAsync(ward.Beds[i + 1]));
            }
            await redis.StartAgainAsync();
            calls.Add(await cluster.NodeB.RaiseCallAsync(ward.Beds[4]));

            await AllReceivedAsync(stations, calls.Count);
            foreach (var (_, received) in stations)
            {
                received.Events.Select(e => e.CallId!.Value).Should().Equal(calls.Select(c => c.Id), "every call once, in order, across the Redis restart");
            }
        }
        finally
        {
            foreach (var (client, _) in stations)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task WhenMariaDbStopsUnderRaisesEveryRefusalIsA503ProblemNothingIsHalfWrittenAndDeliveryResumes()
    {
        const int Raises = 40;
        await using var mariadb = await MariaDbProcess.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(mariadb: mariadb);
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: Raises + 2);
        var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
        var stations = await StationsBehindNginxAsync(cluster, token, ward.WardId);
        try
        {
            await cluster.NodeB.RaiseCallAsync(ward.Beds[0]);
            await AllReceivedAsync(stations, 1);

            // 20 raises a second, through nginx and straight to a node, while MariaDB stops under them.
            var raises = Enumerable.Range(1, Raises).Select(async i =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50 * i));
                using var response = await (i % 2 == 0 ? (ServerApi)cluster.Nginx : cluster.NodeB).RaiseAsync(ward.Beds[i]);
                return (response.StatusCode, response.Content.Headers.ContentType?.MediaType, Body: await response.Content.ReadAsStringAsync());
            }).ToList();
            await Task.Delay(TimeSpan.FromMilliseconds(50 * Raises / 4));
            await mariadb.StopAsync();
            var answers = await Task.WhenAll(raises);
            await mariadb.StartAgainAsync();
            await RaiseOnceTheDatabaseAnswersAsync(cluster.NodeB, ward.Beds[Raises + 1]);

            var refused = answers.Where(a => a.StatusCode != HttpStatusCode.Created).ToList();
            refused.Should().NotBeEmpty("MariaDB stopped while raises were arriving");
            refused.Should().AllSatisfy(a =>
            {
                a.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, a.Body);
                a.MediaType.Should().Be("application/problem+json");
                a.Body.Should().ContainAny("nothing was saved", "may or may not have been saved");
            });
            // A raise whose COMMIT was in flight as MariaDB stopped may have been saved: it is told so (CommitOutcomeTests).
            var maybeSaved = refused.Count(a => a.Body.Contains("may or may not have been saved", StringComparison.Ordinal));
            var written = await cluster.Hospital().QueryAsync<(long CallId, long Events, long Audits)>("""
                SELECT c.id,
                       (SELECT COUNT(*) FROM events e WHERE e.call_id = c.id AND e.type = 'call_raised'),
                       (SELECT COUNT(*) FROM audit_log a WHERE a.call_id = c.id AND a.action = 'call_raised')
                FROM calls c WHERE c.ward_id = @WardId ORDER BY c.id
                """, new { ward.WardId });
            var created = answers.Count(a => a.StatusCode == HttpStatusCode.Created);
            written.Count.Should().BeInRange(2 + created, 2 + created + maybeSaved, "a call for each 201, none for a 503 that said nothing was saved");
            written.Should().OnlyContain(w => w.Events == 1 && w.Audits == 1, "each call was written whole: its event and audit row with it");
            Console.WriteLine($"MariaDB stopped under {Raises} raises at 20/s: {Raises - refused.Count} raised, {refused.Count} answered 503 problem+json ({maybeSaved} of them maybe saved), none 500");

            await AllReceivedAsync(stations, written.Count);
            foreach (var (_, received) in stations)
            {
                received.Events.Select(e => e.CallId!.Value).Should().BeEquivalentTo(written.Select(w => w.CallId), "every call once, across the outage");
                received.Events.Select(e => e.Seq).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            }
        }
        finally
        {
            foreach (var (client, _) in stations)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task KillingTheLeadingBridgeDuringAThousandConcurrentCallsLosesNoneAndShowsNoneTwice()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var leader = await cluster.WaitForLeaderHearingAsync(2, TimeSpan.FromSeconds(10));

        await AThousandCallsWithAFaultAThirdOfTheWayAsync(cluster, leader.Kill, "the leading bridge killed (kill -9)");

        leader.HasExited.Should().BeTrue("the leader was killed a third of the way through");
    }

    [Fact]
    public async Task WhenTheRedisPrimaryIsKilledUnderAThousandCallsSentinelPromotesTheReplicaAndEveryStationSeesEveryCallOnceInOrder()
    {
        await using var redis = await RedisSentinelGroup.StartAsync();
        await using var cluster = await LocalCluster.StartAsync(redis.Configuration);

        await AThousandCallsWithAFaultAThirdOfTheWayAsync(cluster, redis.KillPrimary, "the Redis primary killed (kill -9)");

        (await redis.PrimaryNamedBySentinelsAsync()).Should().Be(redis.ReplicaPort, "the sentinels promoted the replica");
    }

    [Fact]
    public async Task RaisesInFlightOnANodeThatIsKilledAreRaisedOnTheOtherAndSentAgainWithTheirKeysStayOneCallEach()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: 7);
        var beds = ward.Beds.Take(6).ToList();
        var keys = beds.Select(_ => Guid.NewGuid().ToString()).ToList();
        List<Task<HttpResponseMessage>> raises;
        await using (await cluster.Hospital().HoldBedsAsync(beds))
        {
            // Six presses through nginx, which spreads API requests over both nodes, wait at their beds' locks.
            raises = [.. beds.Select((bed, i) => cluster.Nginx.RaiseAsync(bed, CallKinds.Normal, keys[i]))];
            await WaitForRaisesInProgressAsync(beds.Count, cluster.NodeA, cluster.NodeB);
            var onA = await RaisesInProgressAsync(cluster.NodeA);
            onA.Should().BeGreaterThan(0, "nginx sent some of the six presses to node A");
            cluster.NodeA.Kill();
            Console.WriteLine($"Killed node A with {onA} of 6 raises in flight there");
        }
        var answers = await Task.WhenAll(raises);
        try
        {
            answers.Select(a => a.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.Created,
                "nginx sent the presses node A dropped on to node B, where each raised its call");
            for (var i = 0; i < beds.Count; i++)
            {
                using var again = await cluster.Nginx.RaiseAsync(beds[i], CallKinds.Normal, keys[i]);
                again.StatusCode.Should().Be(HttpStatusCode.OK, "the same press, sent again, is the call it raised");
                (await again.Content.ReadFromJsonAsync<CallView>())!.Id.Should().Be((await answers[i].Content.ReadFromJsonAsync<CallView>())!.Id);
            }
            (await cluster.Hospital().QueryAsync<(long, int)>("SELECT COUNT(*), MAX(repeat_count) FROM calls WHERE ward_id = @WardId GROUP BY bed_id", new { ward.WardId }))
                .Should().Equal(Enumerable.Repeat((1L, 0), 6), "one call per press, however often it was sent, and no press counted twice");

            // With no node left, nginx's own answer: problem details saying to send it again.
            cluster.NodeB.Kill();
            using var nobody = await cluster.Nginx.RaiseAsync(ward.Beds[6], CallKinds.Normal, Guid.NewGuid().ToString());
            nobody.StatusCode.Should().Be(HttpStatusCode.BadGateway);
            nobody.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await nobody.Content.ReadAsStringAsync()).Should().Contain("may or may not have been applied: send it again");
        }
        finally
        {
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    /// <summary>Waits until the nodes together are handling this many raises (their /metrics' http_requests_in_progress).</summary>
    private static async Task WaitForRaisesInProgressAsync(int count, params ServerApi[] nodes)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        double inProgress;
        while ((inProgress = (await Task.WhenAll(nodes.Select(RaisesInProgressAsync))).Sum()) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The nodes were handling {inProgress} of {count} raises after 15 s.");
            }
            await Task.Delay(50);
        }
    }

    private static Task<double> RaisesInProgressAsync(ServerApi node) =>
        MetricsText.SumAsync(node.Http, series => series.StartsWith("http_requests_in_progress{", StringComparison.Ordinal)
            && series.Contains("method=\"POST\"", StringComparison.Ordinal) && series.Contains("api/calls\"", StringComparison.Ordinal));

    /// <summary>
    /// What a bed device does after a 503: press again. The first requests after the restart may
    /// still meet pooled connections to the old server; each answer is a clean 503 or a 201.
    /// </summary>
    private static async Task<CallView> RaiseOnceTheDatabaseAnswersAsync(ServerApi node, TestBed bed)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var response = await node.RaiseAsync(bed);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                return (await response.Content.ReadFromJsonAsync<CallView>())!;
            }
            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
            if (attempt == 20)
            {
                throw new TimeoutException("The node still answered 503 twenty attempts after MariaDB came back.");
            }
            await Task.Delay(250);
        }
    }

    /// <summary>Eight stations connected through nginx from eight /24s, so ip_hash spreads them over both nodes.</summary>
    private static async Task<List<(DispatchClient Client, ReceivedEvents Received)>> StationsBehindNginxAsync(LocalCluster cluster, string token, int wardId)
    {
        var stations = new List<(DispatchClient, ReceivedEvents)>();
        for (var subnet = 1; subnet <= 8; subnet++)
        {
            var source = LoopbackSource.Subnet(subnet);
            var client = new DispatchClient(cluster.Nginx.BaseAddress, token, TimeSpan.FromSeconds(2),
                options => options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token));
            var received = new ReceivedEvents(client);
            await client.StartAsync();
            await client.SubscribeAsync(wardId);
            stations.Add((client, received));
        }
        return stations;
    }

    /// <summary>
    /// 1,000 calls raised concurrently (64 in flight, alternately on each node, a bed each) to a
    /// ward watched by 20 stations straight on the nodes; <paramref name="fault"/> strikes when a
    /// third are raised. Every station must show every event once, in ward order.
    /// </summary>
    private static async Task AThousandCallsWithAFaultAThirdOfTheWayAsync(LocalCluster cluster, Action fault, string what)
    {
        const int Calls = 1_000;
        // A bed per call: a bed has one open call per kind.
        var ward = await cluster.Hospital().WardAsync(nurses: 3, beds: Calls);
        var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
        var stations = new List<(DispatchClient Client, ReceivedEvents Received)>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var client = new DispatchClient((i % 2 == 0 ? cluster.NodeA : cluster.NodeB).BaseAddress, token);
                stations.Add((client, new ReceivedEvents(client)));
                await client.StartAsync();
                await client.SubscribeAsync(ward.WardId);
            }

            using var inFlight = new SemaphoreSlim(64);
            var raised = 0;
            var clock = Stopwatch.StartNew();
            var calls = await Task.WhenAll(Enumerable.Range(0, Calls).Select(async i =>
            {
                await inFlight.WaitAsync();
                try
                {
                    var call = await (i % 2 == 0 ? cluster.NodeA : cluster.NodeB).RaiseCallAsync(ward.Beds[i]);
                    if (Interlocked.Increment(ref raised) == Calls / 3)
                    {
                        fault();
                    }
                    return call;
                }
                finally
                {
                    inFlight.Release();
                }
            }));

            await AllReceivedAsync(stations, Calls);
            var expected = Enumerable.Range(1, Calls).Select(n => (long)n).ToList();
            foreach (var (_, received) in stations)
            {
                received.Events.Select(e => e.Seq).Should().Equal(expected, $"every event once, in ward order, with {what}");
            }
            stations[0].Received.Events.Select(e => e.CallId!.Value).Should().BeEquivalentTo(calls.Select(c => c.Id));
            Console.WriteLine($"{what} after {Calls / 3} of {Calls} concurrent calls: 20 stations each showed all {Calls} once, in order, " +
                $"{clock.Elapsed.TotalSeconds:F1} s after the first raise");
        }
        finally
        {
            foreach (var (client, _) in stations)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static Task AllReceivedAsync(List<(DispatchClient Client, ReceivedEvents Received)> stations, int calls) =>
        Task.WhenAll(stations.Select(s => s.Received.WaitUntilAsync(
            events => events.Count >= calls, $"{calls} calls", TimeSpan.FromSeconds(30))));

}
