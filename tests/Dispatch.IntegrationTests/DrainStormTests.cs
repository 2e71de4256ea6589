using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Server.Node;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>
/// Drains and SIGTERMs back to back, behind real nginx, under calls at 20 a second: nginx always
/// has a node to send stations and requests to (in the cluster collection: see <see cref="ClusterCollection"/>).
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DrainStormTests
{
    private const int Rounds = 10;
    private const int Wards = 3;
    private const int StationsPerWard = 8;
    private const int BedsPerWard = 20;
    private static readonly TimeSpan s_restart = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task TenDrainsAlternatingNodesEachAfterASigtermOfTheOtherLeaveNoRequestWithoutANodeAndNoStationBehind()
    {
        await using var cluster = await LocalCluster.StartAsync(supervised: true);
        var wards = new List<TestWard>();
        for (var w = 0; w < Wards; w++)
        {
            wards.Add(await cluster.Hospital().WardAsync(nurses: 1, beds: BedsPerWard));
        }
        var admin = await cluster.NodeA.LoginAsync(await cluster.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var pressedAt = new ConcurrentDictionary<long, long>();
        var stations = await ConnectStationsAsync(cluster, wards);
        using var calling = new CancellationTokenSource();
        var caller = CallUntilStoppedAsync(cluster, wards, pressedAt, calling.Token);
        try
        {
            var clock = Stopwatch.StartNew();
            for (var round = 0; round < Rounds; round++)
            {
                var (drained, other) = round % 2 == 0 ? (cluster.NodeA, cluster.NodeB) : (cluster.NodeB, cluster.NodeA);

                // The other node stops (its stations go to the one about to drain) and comes back.
                var exits = other.SupervisedExitCodes.Count;
                await other.TerminateUnderSupervisorAsync();
                await Eventually.UntilAsync(() => other.SupervisedExitCodes.Count > exits, "the SIGTERMed node to exit", s_restart);
                await other.WaitUntilHealthyAsync();

                // Then the drain: every station of the draining node moves to the other one.
                exits = drained.SupervisedExitCodes.Count;
                (await drained.SendAsync(HttpMethod.Post, "/api/node/drain", admin)).StatusCode.Should().Be(HttpStatusCode.Accepted);
                await Eventually.UntilAsync(() => drained.SupervisedExitCodes.Count > exits, "the drained node to exit", s_restart);
                drained.SupervisedExitCodes[^1].Should().Be(WatchdogOptions.DrainedExitCode);
                await drained.WaitUntilHealthyAsync();
            }
            var stormed = clock.Elapsed;
            await calling.CancelAsync();
            var answers = await caller;

            answers.Where(a => a.Status >= 500).Select(a => $"{a.Status} {a.Body}").Should().BeEmpty("nginx always had a node: no 502, 503 or 504 reached a bed device");
            foreach (var ward in wards)
            {
                var last = await cluster.Hospital().LastSequenceAsync(ward.WardId);
                foreach (var station in stations.Where(s => s.WardId == ward.WardId))
                {
                    await station.Received.WaitUntilAsync(events => events.Count > 0 && events[^1].Seq >= last, $"ward {ward.WardId} up to #{last}", TimeSpan.FromSeconds(15));
                    station.Received.Events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, (int)last).Select(n => (long)n),
                        "every event of the ward once, in order, across twenty moves");
                }
            }
            var behind = stations.SelectMany(s => s.ShownAt.Select(shown => Stopwatch.GetElapsedTime(pressedAt[shown.Key], shown.Value).TotalMilliseconds)).ToList();
            var worst = behind.Max();
            Console.WriteLine($"{Rounds} drains, each after a SIGTERM of the other node, in {stormed.TotalSeconds:F0} s; {answers.Count} bedside requests " +
                $"({answers.Count(a => a.Status == 201)} raises), none answered 5xx; {stations.Count} stations each saw every event once. " +
                $"From a press to each station receiving its call: median {Percentile(behind, 0.5):F0} ms, p99 {Percentile(behind, 0.99):F0} ms, max {worst:F0} ms");
            worst.Should().BeLessThan(5_000, "no station was more than 5 s behind its ward");
        }
        finally
        {
            await calling.CancelAsync();
            foreach (var station in stations)
            {
                await station.Client.DisposeAsync();
            }
        }
    }

    private sealed record Station(DispatchClient Client, int WardId, ReceivedEvents Received)
    {
        /// <summary>When each call raised during the test arrived here, by call id (<see cref="Stopwatch.GetTimestamp"/>).</summary>
        public ConcurrentDictionary<long, long> ShownAt { get; } = new();
    }

    /// <summary>Stations through nginx from eight /24s (ip_hash spreads them over both nodes), each noting when each call arrived.</summary>
    private static async Task<List<Station>> ConnectStationsAsync(LocalCluster cluster, List<TestWard> wards)
    {
        var stations = new List<Station>();
        for (var i = 0; i < Wards * StationsPerWard; i++)
        {
            var ward = wards[i % Wards];
            var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
            var source = LoopbackSource.Subnet(1 + i % 8);
            var client = new DispatchClient(cluster.Nginx.BaseAddress, token, TimeSpan.FromSeconds(2),
                options => options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token));
            var station = new Station(client, ward.WardId, new ReceivedEvents(client));
            client.EventReceived += e =>
            {
                if (e is { Type: EventTypes.CallRaised, CallId: { } callId })
                {
                    station.ShownAt[callId] = Stopwatch.GetTimestamp();
                }
            };
            await client.StartAsync();
            await client.SubscribeAsync(ward.WardId);
            stations.Add(station);
        }
        return stations;
    }

    private sealed record Answer(int Status, string Body);

    /// <summary>
    /// Bed devices through nginx, 20 presses a second over every bed in turn; each call is cleared
    /// at its bed before the bed presses again. Returns every answer (raises and clears).
    /// </summary>
    private static async Task<List<Answer>> CallUntilStoppedAsync(LocalCluster cluster, List<TestWard> wards, ConcurrentDictionary<long, long> pressedAt, CancellationToken stop)
    {
        var answers = new List<Answer>();
        var open = new Dictionary<int, long>();
        var beds = wards.SelectMany(w => w.Beds).ToList();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var bed = beds[i % beds.Count];
            if (open.Remove(bed.BedId, out var previous))
            {
                using var cleared = await cluster.Nginx.SendAsync(HttpMethod.Post, $"/api/calls/{previous}/cancel", deviceKey: bed.DeviceKey);
                answers.Add(new Answer((int)cleared.StatusCode, await cleared.Content.ReadAsStringAsync(CancellationToken.None)));
            }
            var pressed = Stopwatch.GetTimestamp();
            using var raised = await cluster.Nginx.RaiseAsync(bed, CallKinds.Normal, Guid.NewGuid().ToString());
            var body = await raised.Content.ReadAsStringAsync(CancellationToken.None);
            answers.Add(new Answer((int)raised.StatusCode, body));
            if (raised.StatusCode == HttpStatusCode.Created)
            {
                var call = (await raised.Content.ReadFromJsonAsync<CallView>(CancellationToken.None))!;
                pressedAt[call.Id] = pressed;
                open[bed.BedId] = call.Id;
            }
            await Task.Delay(50, CancellationToken.None);
        }
        return answers;
    }

    private static double Percentile(List<double> values, double p) => values.Order().ElementAt((int)Math.Min(values.Count - 1, p * values.Count));
}
