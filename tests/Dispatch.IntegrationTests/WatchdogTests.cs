using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;
using Dispatch.Server.Node;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The memory watchdog's drain and SIGTERM on real nodes behind real nginx; each test runs a
/// cluster of its own (in the cluster collection: see <see cref="ClusterCollection"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WatchdogTests
{
    private const int Stations = 200;
    private const int Wards = 4;
    private const int BatchSize = 25;
    private const int BatchIntervalMs = 1_000;

    private readonly Stopwatch _clock = Stopwatch.StartNew();

    [Fact]
    public async Task ADrainingNodeMovesItsTwoHundredStationsInBatchesWithNoCallLostOrDoubledThenExitsAndIsRestarted()
    {
        await using var cluster = await LocalCluster.StartAsync(supervised: true, nodeASettings: new Dictionary<string, string>
        {
            ["Watchdog:BatchSize"] = $"{BatchSize}",
            ["Watchdog:BatchIntervalMs"] = $"{BatchIntervalMs}",
        });
        var wards = new List<TestWard>();
        for (var w = 0; w < Wards; w++)
        {
            wards.Add(await cluster.Hospital().WardAsync(nurses: 1, beds: PressesPerWard));
        }
        var tokens = await Task.WhenAll(wards.Select(w => cluster.NodeB.LoginAsync(w.Nurses[0])));
        var subnetsOnA = await SubnetsLeadingToNodeAAsync(cluster, tokens[0], wards[0].WardId, count: 4);

        var stations = await ConnectStationsAsync(cluster, wards, tokens, subnetsOnA);
        try
        {
            (await cluster.NodeA.HubConnectionsAsync()).Should().Be(Stations, "every station came in through nginx from subnets that lead to node A");
            var admin = await cluster.NodeA.LoginAsync(await cluster.Hospital().StaffAsync(StaffUser.Admin, wardId: null));

            using var raising = new CancellationTokenSource();
            var raiser = RaiseUntilStoppedAsync(cluster, wards, raising.Token);
            await Task.Delay(500);
            var drainStarted = _clock.Elapsed;
            (await cluster.NodeA.SendAsync(HttpMethod.Post, "/api/node/drain", admin)).StatusCode.Should().Be(HttpStatusCode.Accepted);
            using (var health = await cluster.NodeA.Http.GetAsync("/healthz"))
            {
                health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "a draining node is not ready");
                (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString().Should().Be("draining");
            }
            (await cluster.NodeA.Http.GetStringAsync("/metrics")).Should().Contain("\ndispatch_node_draining 1\n", "ops see the drain");

            await Eventually.UntilAsync(() => cluster.NodeA.SupervisedExitCodes.Count > 0, "node A to exit after its drain", TimeSpan.FromSeconds(45));
            var exitedAfter = _clock.Elapsed - drainStarted;
            await raising.CancelAsync();
            var raised = await raiser;
            await cluster.NodeA.WaitUntilHealthyAsync();

            cluster.NodeA.SupervisedExitCodes.Should().Equal([WatchdogOptions.DrainedExitCode], "the drained node exits with its own code and the supervisor restarts it");
            (await cluster.NodeB.HubConnectionsAsync()).Should().Be(Stations, "every station moved to node B");
            stations.Should().AllSatisfy(s => s.MovedAt.Should().NotBeNull("each station moved before its old connection closed"));

            foreach (var ward in wards)
            {
                var last = await cluster.Hospital().LastSequenceAsync(ward.WardId);
                var expected = raised.Where(c => c.WardId == ward.WardId).Select(c => c.Id).ToList();
                expected.Should().NotBeEmpty("calls were raised in every ward during the drain");
                foreach (var station in stations.Where(s => s.WardId == ward.WardId))
                {
                    await station.Received.WaitUntilAsync(events => events.Count > 0 && events[^1].Seq >= last, $"ward {ward.WardId} up to #{last}", TimeSpan.FromSeconds(15));
                    station.Received.Events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, (int)last).Select(n => (long)n),
                        "every event of the ward once, in order, across the move");
                    station.Received.Events.Select(e => e.CallId!.Value).Should().Equal(expected);
                }
                var moves = stations.Where(s => s.WardId == ward.WardId).Select(s => s.MovedAt!.Value).ToList();
                (moves.Max() - moves.Min()).Should().BeGreaterThan(TimeSpan.FromMilliseconds(BatchIntervalMs),
                    "a ward's stations move in several batches, never all at once");
            }

            var seconds = stations.Select(s => (int)(s.MovedAt!.Value - drainStarted).TotalSeconds).ToList();
            Console.WriteLine($"Drained {Stations} stations ({Wards} wards) from node A in batches of {BatchSize} every {BatchIntervalMs} ms; " +
                $"{raised.Count} calls raised meanwhile, none lost or doubled; node A exited with {WatchdogOptions.DrainedExitCode} after {exitedAfter.TotalSeconds:F1} s and was restarted.");
            Console.WriteLine("Stations moved per second since the drain began:");
            foreach (var bucket in seconds.GroupBy(s => s).OrderBy(g => g.Key))
            {
                Console.WriteLine($"  {bucket.Key,2}-{bucket.Key + 1,2} s  {bucket.Count(),3}  {new string('#', bucket.Count() / 2)}");
            }
            seconds.Distinct().Count().Should().BeGreaterThanOrEqualTo(Stations / BatchSize - 2, "the moves are spread over the drain, not a storm");
        }
        finally
        {
            foreach (var station in stations)
            {
                await station.Client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task OnSigtermBehindNginxTheNodesStationsAreToldServerShutdownItIsGoneWithinTenSecondsAndEveryCallRaisedMeanwhileArrives()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: PressesPerWard);
        var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
        var stations = new List<(DispatchClient Client, ReceivedEvents Received, Task<ShutdownNotice> Told)>();
        try
        {
            for (var subnet = 1; subnet <= 8; subnet++)
            {
                var source = LoopbackSource.Subnet(subnet);
                var client = new DispatchClient(cluster.Nginx.BaseAddress, token, TimeSpan.FromSeconds(2),
                    options => options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token));
                var told = new TaskCompletionSource<ShutdownNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
                client.ServerShuttingDown += n => told.TrySetResult(n);
                stations.Add((client, new ReceivedEvents(client), told.Task));
                await client.StartAsync();
                await client.SubscribeAsync(ward.WardId);
            }
            var onA = await cluster.NodeA.HubConnectionsAsync();
            onA.Should().BeInRange(1, 7, "both nodes carry some of the eight subnets");

            using var raising = new CancellationTokenSource();
            var raiser = RaiseUntilStoppedAsync(cluster, [ward], raising.Token);
            await Task.Delay(300);
            var clock = Stopwatch.StartNew();
            var exitCode = await cluster.NodeA.TerminateAsync(TimeSpan.FromSeconds(10));
            var stopped = clock.Elapsed;
            await Task.Delay(1_000);
            await raising.CancelAsync();
            var raised = await raiser;

            exitCode.Should().Be(0);
            stopped.Should().BeLessThan(TimeSpan.FromSeconds(10));
            stations.Count(s => s.Told.IsCompletedSuccessfully).Should().Be((int)onA,
                "every station of the stopping node, and only those, was told; node A said: " + string.Join(Environment.NewLine, cluster.NodeA.Output.TakeLast(40)));
            stations.Where(s => s.Told.IsCompletedSuccessfully).Should().AllSatisfy(s => s.Told.Result.Reason.Should().Be("server_shutdown"));
            var last = await cluster.Hospital().LastSequenceAsync(ward.WardId);
            foreach (var (_, received, _) in stations)
            {
                await received.WaitUntilAsync(events => events.Count > 0 && events[^1].Seq >= last, $"#{last}", TimeSpan.FromSeconds(15));
                received.Events.Select(e => e.CallId!.Value).Should().Equal(raised.Select(c => c.Id), "every accepted call once, in order");
            }
            Console.WriteLine($"SIGTERM on node A behind nginx: {onA} of 8 stations told server_shutdown, exited in {stopped.TotalMilliseconds:F0} ms; " +
                $"{raised.Count} calls raised through nginx meanwhile all reached all 8 stations once");
        }
        finally
        {
            foreach (var (client, _, _) in stations)
            {
                await client.DisposeAsync();
            }
        }
    }

    private sealed record Station(DispatchClient Client, int WardId, ReceivedEvents Received)
    {
        public TimeSpan? MovedAt { get; set; }
    }

    /// <summary>Station i watches ward i mod 4 and comes from subnet i mod 4, all through nginx; 20 connect at a time.</summary>
    private async Task<List<Station>> ConnectStationsAsync(LocalCluster cluster, List<TestWard> wards, string[] tokens, List<IPAddress> subnets)
    {
        var stations = new ConcurrentBag<Station>();
        using var connecting = new SemaphoreSlim(20);
        await Task.WhenAll(Enumerable.Range(0, Stations).Select(async i =>
        {
            await connecting.WaitAsync();
            try
            {
                var (token, source) = (tokens[i % Wards], subnets[i % subnets.Count]);
                var client = new DispatchClient(cluster.Nginx.BaseAddress, token, TimeSpan.FromSeconds(2),
                    options => options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token));
                var station = new Station(client, wards[i % Wards].WardId, new ReceivedEvents(client));
                client.MovedToAnotherNode += _ => station.MovedAt = _clock.Elapsed;
                stations.Add(station);
                await client.StartAsync();
                await client.SubscribeAsync(station.WardId);
            }
            finally
            {
                connecting.Release();
            }
        }));
        return [.. stations];
    }

    /// <summary>Beds per ward for <see cref="RaiseUntilStoppedAsync"/>: more than a test's presses at one every 50 ms.</summary>
    private const int PressesPerWard = 200;

    /// <summary>
    /// Bed devices pressing through nginx every 50 ms, every fifth a code blue, until stopped. A
    /// device presses again after a refusal (a node stopping), as a patient would; the calls
    /// returned are the ones accepted (201).
    /// </summary>
    private static async Task<List<CallView>> RaiseUntilStoppedAsync(LocalCluster cluster, List<TestWard> wards, CancellationToken stop)
    {
        var raised = new List<CallView>();
        using var http = new HttpClient { BaseAddress = cluster.Nginx.BaseAddress };
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            // A bed per press: a bed has one open call per kind, so a bed pressed again would re-announce its call.
            var beds = wards[i % wards.Count].Beds;
            if (i / wards.Count >= beds.Count)
            {
                break;
            }
            var bed = beds[i / wards.Count];
            using var request = ServerApi.Request(HttpMethod.Post, "/api/calls",
                body: new { bedId = bed.BedId, kind = i % 5 == 0 ? CallKinds.CodeBlue : CallKinds.Normal }, deviceKey: bed.DeviceKey);
            using var response = await http.SendAsync(request, CancellationToken.None);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                raised.Add((await response.Content.ReadFromJsonAsync<CallView>(CancellationToken.None))!);
            }
            else
            {
                response.StatusCode.Should().BeOneOf(HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable);
            }
            await Task.Delay(50, CancellationToken.None);
        }
        return raised;
    }


    /// <summary>
    /// Loopback /24s that nginx's ip_hash sends to node A, found by connecting once from each. The
    /// probe subscribes before the count is read (the hub runs OnConnected before any invocation),
    /// and the next probe waits until this one has left, so each count is this probe's alone.
    /// </summary>
    private static async Task<List<IPAddress>> SubnetsLeadingToNodeAAsync(LocalCluster cluster, string token, int wardId, int count)
    {
        var found = new List<IPAddress>();
        var idle = await cluster.NodeA.HubConnectionsAsync();
        for (var subnet = 1; found.Count < count && subnet <= 64; subnet++)
        {
            await using (var probe = await StationProbe.SubscribeAsync(cluster.Nginx.BaseAddress, token, wardId, LoopbackSource.Subnet(subnet)))
            {
                if (await cluster.NodeA.HubConnectionsAsync() > idle)
                {
                    found.Add(LoopbackSource.Subnet(subnet));
                }
            }
            await Eventually.UntilAsync(async () => await cluster.NodeA.HubConnectionsAsync() == idle, "the probe to leave node A", TimeSpan.FromSeconds(5));
        }
        found.Should().HaveCount(count);
        return found;
    }
}

/// <summary>The watchdog's own trigger: memory over the threshold, on a single node (nowhere to move its stations).</summary>
public sealed class MemoryThresholdTests
{
    [Fact]
    public async Task ANodeOverItsMemoryThresholdReportsItDrainsAndExitsWithTheRestartCode()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.Migrations.UpAsync(CancellationToken.None);
        // A 64 MiB allowance: the runtime alone is above 80 % of it.
        await using var node = await NodeProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>
        {
            ["Watchdog:MemoryLimitMb"] = "64",
            ["Watchdog:SampleIntervalMs"] = "200",
        }, waitUntilHealthy: false);

        var exitCode = await node.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exitCode.Should().Be(WatchdogOptions.DrainedExitCode, string.Join(Environment.NewLine, node.Output));
        node.Output.Should().Contain(line => line.Contains("over the watchdog threshold of 80 %", StringComparison.Ordinal));
        node.Output.Should().Contain(line => line.Contains("exiting for a restart", StringComparison.Ordinal));
    }
}
