using System.Text.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.IntegrationTests.Infrastructure;

namespace Dispatch.IntegrationTests;

/// <summary>Each test breaks a cluster of its own.</summary>
public sealed class ClusterFailureTests
{
    [Fact]
    public async Task WhenAHubNodeIsKilledItsStationsReconnectThroughNginxToTheOtherNodeAndMissNothing()
    {
        await using var cluster = await LocalCluster.StartAsync();
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: 2);
        var token = await cluster.NodeB.LoginAsync(ward.Nurses[0]);
        var stations = new List<(DispatchClient Client, ReceivedEvents Received)>();
        try
        {
            for (var subnet = 1; subnet <= 8; subnet++)
            {
                var source = LoopbackSource.Subnet(subnet);
                var client = new DispatchClient(cluster.Nginx.BaseAddress, token, TimeSpan.FromSeconds(2),
                    options => options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token));
                var received = new ReceivedEvents(client);
                await client.StartAsync();
                await client.SubscribeAsync(ward.WardId);
                stations.Add((client, received));
            }
            var onA = await ConnectionsAsync(cluster.NodeA);
            onA.Should().BeGreaterThanOrEqualTo(1, "some stations must be on the node that dies");

            var calls = new List<CallView> { await cluster.NodeB.RaiseCallAsync(ward.Beds[0]) };
            await AllReceivedAsync(calls);

            cluster.NodeA.Kill();
            for (var i = 0; i < 3; i++)
            {
                calls.Add(await cluster.NodeB.RaiseCallAsync(ward.Beds[i % 2]));
            }

            await AllReceivedAsync(calls);
            foreach (var (_, received) in stations)
            {
                received.Events.Select(e => e.CallId!.Value).Should().Equal(calls.Select(c => c.Id), "every call once, in order, across the move");
                received.Events.Select(e => e.Seq).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
            }
            (await ConnectionsAsync(cluster.NodeB)).Should().Be(8, "every station moved to the surviving node");
            Console.WriteLine($"Killed node A with {onA} of 8 stations; all 8 resumed on node B with nothing missed or doubled");
        }
        finally
        {
            foreach (var (client, _) in stations)
            {
                await client.DisposeAsync();
            }
        }

        Task AllReceivedAsync(List<CallView> expected) =>
            Task.WhenAll(stations.Select(s => s.Received.WaitUntilAsync(
                events => events.Count >= expected.Count, $"{expected.Count} calls", TimeSpan.FromSeconds(20))));
    }

    private static async Task<long> ConnectionsAsync(ServerApi node)
    {
        using var body = JsonDocument.Parse(await node.Http.GetStringAsync("/ws-health"));
        return body.RootElement.GetProperty("connections").GetInt64();
    }
}
