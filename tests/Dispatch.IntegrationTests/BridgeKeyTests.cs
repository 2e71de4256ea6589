using Dispatch.Outbox;
using Dispatch.Testing;
using NetMQ;
using NetMQ.Sockets;

namespace Dispatch.IntegrationTests;

/// <summary>The bridge sends events only to nodes whose CurveZMQ key it lists (docs/bridge.md, "Keys").</summary>
[Collection(ClusterCollection.Name)]
public sealed class BridgeKeyTests(ClusterFixture fixture)
{
    private LocalCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task APeerWithoutAListedKeyIsSentNothingWhileTheNodesRelayEveryCall()
    {
        var leader = await Cluster.WaitForLeaderHearingAsync(nodes: 2, TimeSpan.FromSeconds(30));
        var refusedBefore = await leader.MetricAsync("bridge_refused_hellos_total");
        var ward = await Cluster.Hospital().WardAsync(nurses: 1, beds: 4);
        await using var station = await StationProbe.SubscribeAsync(Cluster.NodeA.BaseAddress, await Cluster.NodeA.LoginAsync(ward.Nurses[0]), ward.WardId);

        // One peer speaks CurveZMQ to the bridge's real public key with a key pair of its own; the
        // other speaks plain ZMTP; a third, with a key pair of its own, names itself node-a, a
        // listed node that is running. All say HELLO as a node would, every 200 ms, while calls are
        // raised (the first two as nodes before names were sent did, by their identity).
        var ownKeys = new NetMQCertificate();
        using var unlisted = CurvePeer(ownKeys, leader.Endpoint, identity: "node-x");
        using var plaintext = new DealerSocket();
        plaintext.Options.Identity = "node-y"u8.ToArray();
        plaintext.Connect(leader.Endpoint);
        var unlistedProof = NodeProof.Compute(ownKeys, Cluster.BridgeKeys.PublicKey, "node-x");
        using var impostor = CurvePeer(ownKeys, leader.Endpoint);
        var impostorProof = NodeProof.Compute(ownKeys, Cluster.BridgeKeys.PublicKey, "node-a");

        (DealerSocket Peer, Action SayHello)[] hellos =
        [
            (unlisted, () => unlisted.SendMoreFrame(BridgeFrames.Hello).SendFrame(unlistedProof)),
            (plaintext, () => plaintext.SendMoreFrame(BridgeFrames.Hello).SendFrame(new byte[32])),
            (impostor, () => impostor.SendMoreFrame(BridgeFrames.Hello).SendMoreFrame(impostorProof).SendFrame("node-a")),
        ];
        var received = 0;
        for (var i = 0; i < ward.Beds.Count * 5; i++)
        {
            foreach (var (peer, sayHello) in hellos)
            {
                sayHello();
                NetMQMessage? message = null;
                while (peer.TryReceiveMultipartMessage(TimeSpan.Zero, ref message))
                {
                    received++;
                }
            }
            if (i % 5 == 0)
            {
                await Cluster.NodeB.RaiseCallAsync(ward.Beds[i / 5]);
            }
            await Task.Delay(200);
        }

        await station.WaitForHeartbeatAtAsync(ward.WardId, station.Snapshot.Seq + ward.Beds.Count);
        station.Events.Should().HaveCount(ward.Beds.Count, "the listed nodes relayed every call");
        received.Should().Be(0, "a peer whose HELLO proves no listed key, whatever name it gives, is sent no event and no heartbeat");
        (await leader.HealthAsync()).Should().Be(("leading", 2), "the bridge counts only the two listed nodes");
        (await leader.MetricAsync("bridge_refused_hellos_total")).Should().BeGreaterThan(refusedBefore, "the unlisted peer's HELLOs reached the bridge and were refused");
    }

    [Fact]
    public async Task APeerSendingAFrameLargerThanANodeEverSendsIsCutOffBeforeTheBridgeReadsIt()
    {
        var leader = await Cluster.WaitForLeaderHearingAsync(nodes: 2, TimeSpan.FromSeconds(30));
        var refusedBefore = await leader.MetricAsync("bridge_refused_hellos_total");
        var ownKeys = new NetMQCertificate();
        using var oversized = CurvePeer(ownKeys, leader.Endpoint);
        for (var i = 0; i < 5; i++)
        {
            oversized.SendMoreFrame(BridgeFrames.Hello).SendMoreFrame(new byte[32]).SendFrame(new string('x', 64 * 1024));
            await Task.Delay(100);
        }

        // Then one ordinary refused HELLO: once it is counted, every frame before it was dealt with.
        using var marker = CurvePeer(ownKeys, leader.Endpoint);
        marker.SendMoreFrame(BridgeFrames.Hello).SendMoreFrame(new byte[32]).SendFrame("node-z");
        await Eventually.UntilAsync(async () => await leader.MetricAsync("bridge_refused_hellos_total") > refusedBefore,
            "the marker's HELLO counted", TimeSpan.FromSeconds(10));

        (await leader.MetricAsync("bridge_refused_hellos_total")).Should().Be(refusedBefore + 1, "the 64 KiB HELLOs were never read");
        (await leader.HealthAsync()).Should().Be(("leading", 2));
    }

    /// <summary>A peer speaking CurveZMQ to the bridge's real public key with a key pair of its own (listed nowhere).</summary>
    private DealerSocket CurvePeer(NetMQCertificate keys, string endpoint, string? identity = null)
    {
        var peer = new DealerSocket();
        if (identity is not null)
        {
            peer.Options.Identity = System.Text.Encoding.UTF8.GetBytes(identity);
        }
        peer.Options.CurveServerKey = Cluster.BridgeKeys.PublicKey;
        peer.Options.CurveCertificate = keys;
        peer.Connect(endpoint);
        return peer;
    }
}
