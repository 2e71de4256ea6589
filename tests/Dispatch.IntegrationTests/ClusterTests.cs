using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.IntegrationTests;

/// <summary>One <see cref="LocalCluster"/> shared by the tests that leave it running.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public LocalCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await LocalCluster.StartAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>
/// Every test that runs a cluster belongs here, so they run one after another: their nodes and
/// bridges all connect as the one MariaDB user whose statements the query-rate test counts.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Two nodes, Redis backplane, leader and standby bridges";
}

[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture fixture)
{
    private LocalCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task CallsRaisedThroughNodeBReachAStationOnNodeAExactlyOnceInWardOrder()
    {
        var ward = await Cluster.Hospital().WardAsync(nurses: 1, beds: 5);
        await using var onA = await StationProbe.SubscribeAsync(Cluster.NodeA.BaseAddress, await Cluster.NodeA.LoginAsync(ward.Nurses[0]), ward.WardId);
        await using var onB = await StationProbe.SubscribeAsync(Cluster.NodeB.BaseAddress, await Cluster.NodeB.LoginAsync(ward.Nurses[0]), ward.WardId);

        var calls = new List<CallView>();
        for (var i = 0; i < 5; i++)
        {
            calls.Add(await Cluster.NodeB.RaiseCallAsync(ward.Beds[i]));
        }

        foreach (var station in new[] { onA, onB })
        {
            await station.WaitForAsync(e => e.CallId == calls[^1].Id, "the fifth call", TimeSpan.FromSeconds(10));
            await station.WaitForHeartbeatAtAsync(ward.WardId, station.Snapshot.Seq + 5);
            station.Events.Select(e => (e.Seq, e.CallId)).Should().Equal(
                calls.Select((c, i) => (station.Snapshot.Seq + i + 1, (long?)c.Id)), "each event once, in ward order");
        }
    }

    [Fact]
    public async Task StationsBehindNginxFromSeveralSubnetsSpreadOverBothNodesAndEachSeesEveryCallOnceInOrder()
    {
        var ward = await Cluster.Hospital().WardAsync(nurses: 1, beds: 6);
        var token = await Cluster.NodeA.LoginAsync(ward.Nurses[0]);
        var before = (A: await Cluster.NodeA.HubConnectionsAsync(), B: await Cluster.NodeB.HubConnectionsAsync());
        var stations = new List<StationProbe>();
        for (var subnet = 1; subnet <= 8; subnet++)
        {
            stations.Add(await StationProbe.SubscribeAsync(Cluster.Nginx.BaseAddress, token, ward.WardId, LoopbackSource.Subnet(subnet)));
        }
        try
        {
            var onA = await Cluster.NodeA.HubConnectionsAsync() - before.A;
            var onB = await Cluster.NodeB.HubConnectionsAsync() - before.B;
            Console.WriteLine($"8 stations behind nginx ip_hash: {onA} on node A, {onB} on node B");
            (onA, onB).Should().Match<(long A, long B)>(n => n.A >= 1 && n.B >= 1 && n.A + n.B == 8, "both nodes carry stations");

            var calls = new List<CallView>();
            for (var i = 0; i < 6; i++)
            {
                // Alternately through nginx and straight to node B.
                var via = i % 2 == 0 ? Cluster.NodeB : null as ServerApi;
                calls.Add(via is null ? await RaiseThroughNginxAsync(ward.Beds[i]) : await via.RaiseCallAsync(ward.Beds[i]));
            }

            foreach (var station in stations)
            {
                await station.WaitForAsync(e => e.CallId == calls[^1].Id, "the last call", TimeSpan.FromSeconds(10));
                await station.WaitForHeartbeatAtAsync(ward.WardId, station.Snapshot.Seq + calls.Count);
                station.Events.Select(e => e.CallId!.Value).Should().Equal(calls.Select(c => c.Id), "each call once, in ward order");
            }
        }
        finally
        {
            foreach (var station in stations)
            {
                await station.DisposeAsync();
            }
        }

        async Task<CallView> RaiseThroughNginxAsync(TestBed bed)
        {
            using var http = new HttpClient { BaseAddress = Cluster.Nginx.BaseAddress };
            using var request = ServerApi.Request(HttpMethod.Post, "/api/calls", body: new { bedId = bed.BedId, kind = CallKinds.Normal }, deviceKey: bed.DeviceKey);
            using var response = await http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Created);
            return (await response.Content.ReadFromJsonAsync<CallView>())!;
        }
    }

    [Fact]
    public async Task OverTlsThroughNginxABedRaisesAndAStationOnWssSeesTheCallWhileAClientNotTrustingTheCertificateGetsNothing()
    {
        var nginx = Cluster.Nginx;
        var ward = await Cluster.Hospital().WardAsync(nurses: 1, beds: 1);
        using var trusting = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, certificate, _, _) => nginx.Trusts(certificate) })
        {
            BaseAddress = nginx.TlsBaseAddress,
        };
        using var login = await trusting.PostAsJsonAsync("/api/sessions", new { username = ward.Nurses[0].Username, password = ward.Nurses[0].Password });
        login.StatusCode.Should().Be(HttpStatusCode.OK);
        var token = (await login.Content.ReadFromJsonAsync<LoginResponse>())!.Token;
        await using var station = await StationProbe.SubscribeAsync(nginx.TlsBaseAddress, token, ward.WardId, trust: nginx.Trusts);

        using var raise = ServerApi.Request(HttpMethod.Post, "/api/calls", body: new { bedId = ward.Beds[0].BedId, kind = CallKinds.Normal }, deviceKey: ward.Beds[0].DeviceKey);
        using var raised = await trusting.SendAsync(raise);
        raised.StatusCode.Should().Be(HttpStatusCode.Created);
        var call = (await raised.Content.ReadFromJsonAsync<CallView>())!;
        await station.WaitForAsync(e => e.CallId == call.Id, "the call raised over HTTPS, on the station's WSS connection", TimeSpan.FromSeconds(10));

        using var untrusting = new HttpClient { BaseAddress = nginx.TlsBaseAddress };
        var refused = () => untrusting.GetAsync("/healthz");
        await refused.Should().ThrowAsync<HttpRequestException>("nginx presents its own certificate, which this client was not given");
    }

    [Fact]
    public async Task NginxRefusesHeadersOrABodyTooLargeWithProblemDetails()
    {
        using var headers = ServerApi.Request(HttpMethod.Get, "/healthz");
        headers.Headers.Add("X-Padding", new string('a', 40_000));
        using var body = new HttpRequestMessage(HttpMethod.Post, "/api/sessions") { Content = new ByteArrayContent(new byte[2_000_000]) };

        using var tooManyHeaders = await Cluster.Nginx.Http.SendAsync(headers);
        using var tooLarge = await Cluster.Nginx.Http.SendAsync(body);

        tooManyHeaders.StatusCode.Should().Be(HttpStatusCode.RequestHeaderFieldsTooLarge);
        tooLarge.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        foreach (var answer in new[] { tooManyHeaders, tooLarge })
        {
            answer.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await answer.Content.ReadAsStringAsync()).Should().Contain("Nothing was done.");
        }
    }

    [Fact]
    public async Task AThousandCallsRaisedConcurrentlyOnBothNodesReachEveryStationOfTheirWardExactlyOnceInOrder()
    {
        const int Calls = 1_000;
        var wards = new List<TestWard>();
        for (var w = 0; w < 4; w++)
        {
            // A bed per call: a bed has one open call per kind.
            wards.Add(await Cluster.Hospital().WardAsync(nurses: 3, beds: Calls / 4));
        }
        var stations = new List<(TestWard Ward, StationProbe Probe)>();
        for (var i = 0; i < 20; i++)
        {
            var ward = wards[i % wards.Count];
            var node = i % 2 == 0 ? Cluster.NodeA : Cluster.NodeB;
            stations.Add((ward, await StationProbe.SubscribeAsync(node.BaseAddress, await node.LoginAsync(ward.Nurses[0]), ward.WardId)));
        }
        try
        {
            var beds = wards.SelectMany(w => w.Beds).ToList();
            using var inFlight = new SemaphoreSlim(64);
            var clock = Stopwatch.StartNew();
            var raised = await Task.WhenAll(Enumerable.Range(0, Calls).Select(async i =>
            {
                await inFlight.WaitAsync();
                try
                {
                    return await (i % 2 == 0 ? Cluster.NodeA : Cluster.NodeB).RaiseCallAsync(beds[i]);
                }
                finally
                {
                    inFlight.Release();
                }
            }));
            var raiseTime = clock.Elapsed;

            foreach (var (ward, probe) in stations)
            {
                var expected = raised.Where(c => c.WardId == ward.WardId).Select(c => c.Id).ToHashSet();
                var last = await Cluster.Hospital().LastSequenceAsync(ward.WardId);
                await probe.WaitForHeartbeatAtAsync(ward.WardId, last);
                probe.Events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, (int)(last - probe.Snapshot.Seq)).Select(n => probe.Snapshot.Seq + n),
                    "a station sees every event of its ward once, in sequence order");
                probe.Events.Select(e => e.CallId!.Value).Should().BeEquivalentTo(expected);
            }

            var latencies = stations.SelectMany(s => s.Probe.Latencies).Order().ToList();
            Console.WriteLine($"{Calls} calls raised on 2 nodes in {raiseTime.TotalSeconds:F1} s (64 in flight); " +
                $"{latencies.Count} deliveries to 20 stations, none lost or doubled; call→station latency " +
                $"p50 {Percentile(latencies, 0.50).TotalMilliseconds:F0} ms, p99 {Percentile(latencies, 0.99).TotalMilliseconds:F0} ms, " +
                $"max {latencies[^1].TotalMilliseconds:F0} ms (test and cluster share this machine's 2 cores)");
            latencies.Should().HaveCount(Calls * 5, "each call reaches the 5 stations of its ward");
        }
        finally
        {
            foreach (var (_, probe) in stations)
            {
                await probe.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TheDatabaseQueryRateDoesNotGrowWithTheNumberOfIdleStations()
    {
        var ward = await Cluster.Hospital().WardAsync(nurses: 1, beds: 1);
        var tokens = new[] { await Cluster.NodeA.LoginAsync(ward.Nurses[0]), await Cluster.NodeB.LoginAsync(ward.Nurses[0]) };
        var stations = new List<StationProbe>();
        try
        {
            await ConnectAsync(50);
            var with50 = await MeasureAsync();
            await ConnectAsync(500);
            var with500 = await MeasureAsync();

            const double PollingQps = 500 / 0.5;
            Console.WriteLine($"DB statements per second from the cluster (2 nodes, 2 bridges), idle stations: " +
                $"50 -> {with50:F1}/s, 500 -> {with500:F1}/s; the polling model at 500 screens every 500 ms: {PollingQps:F0}/s " +
                $"({PollingQps / Math.Max(with500, 0.1):F0}x more)");
            with500.Should().BeLessThan(with50 * 1.5 + 5, "screens do not query the database; only the relay, sweep, leases, checks and heartbeats do");
            (PollingQps / with500).Should().BeGreaterThan(10);
        }
        finally
        {
            foreach (var station in stations)
            {
                await station.DisposeAsync();
            }
        }

        // Each probe is a station screen that identified itself, so the nodes' heartbeats stamp them all.
        async Task ConnectAsync(int total)
        {
            while (stations.Count < total)
            {
                var onA = stations.Count % 2 == 0;
                var screen = await Cluster.Hospital().StationAsync(ward.WardId, $"screen {stations.Count}");
                var probe = await StationProbe.SubscribeAsync((onA ? Cluster.NodeA : Cluster.NodeB).BaseAddress, tokens[onA ? 0 : 1], ward.WardId);
                stations.Add(probe);
                await probe.Connection.InvokeAsync<StationView>(DispatchHubMethods.IdentifyStation, screen.Key);
            }
        }

        // A rate needs a window of time: 5 s of the cluster standing idle with its stations connected.
        async Task<double> MeasureAsync()
        {
            var before = await Cluster.ClusterStatementsAsync();
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(5));
            return (await Cluster.ClusterStatementsAsync() - before) / clock.Elapsed.TotalSeconds;
        }
    }

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];


    [Fact]
    public async Task WhenTheLeadingBridgeIsKilledTheStandbyTakesOverAndNothingIsLostOrShownTwice()
    {
        var ward = await Cluster.Hospital().WardAsync(nurses: 1, beds: 4);
        await using var station = await StationProbe.SubscribeAsync(Cluster.NodeA.BaseAddress, await Cluster.NodeA.LoginAsync(ward.Nurses[0]), ward.WardId);
        var before = await Cluster.NodeB.RaiseCallAsync(ward.Beds[0]);
        await station.WaitForAsync(e => e.CallId == before.Id, "the call raised before the kill");

        var leader = await Cluster.WaitForLeaderHearingAsync(2, TimeSpan.FromSeconds(10));
        leader.Kill();
        var duringTakeover = new List<CallView>();
        for (var i = 0; i < 3; i++)
        {
            duringTakeover.Add(await Cluster.NodeB.RaiseCallAsync(ward.Beds[i + 1]));
        }
        var clock = Stopwatch.StartNew();
        await Cluster.WaitForLeaderHearingAsync(2, TimeSpan.FromSeconds(10));
        var takeover = clock.Elapsed;

        await station.WaitForAsync(e => e.CallId == duringTakeover[^1].Id, "the last call raised during the takeover", TimeSpan.FromSeconds(10));
        station.Events.Select(e => e.CallId!.Value).Should().Equal(new[] { before }.Concat(duringTakeover).Select(c => c.Id));
        station.Events.Select(e => e.Seq).Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        takeover.Should().BeLessThan(TimeSpan.FromSeconds(5), "the standby leads within 5 s of the leader's death");
    }
}
