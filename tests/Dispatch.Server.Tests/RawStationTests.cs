using Dispatch.Cli;

namespace Dispatch.Server.Tests;

/// <summary>
/// The swarm's bare-WebSocket station against a scripted hub on a loopback socket: what it counts
/// at the wire is what a run's verdict rests on (a duplicate or a skipped sequence fails it).
/// </summary>
public sealed class RawStationTests
{
    private const string Snapshot = """{"type":3,"invocationId":"subscribe","result":{"wardId":4,"seq":5,"calls":[{"id":9,"type":"x","seq":99}],"silentStations":[],"mutedStations":[]}}""";

    private static string Event(long seq, string type, long callId) =>
        $$"""{"type":1,"target":"WardEvent","arguments":[{"wardId":4,"seq":{{seq}},"type":"{{type}}","callId":{{callId}},"call":{"id":{{callId}},"seq":0,"type":"nested"},"at":"2026-12-05T02:00:00Z","station":null}]}""";

    [Fact]
    public async Task ItCountsAResentAndASkippedSequenceAtTheWireAndTimesEveryRaisedCallOnce()
    {
        var arrivals = new List<long>();
        var (hub, client) = await ScriptedHub.ConnectAsync();
        await using var _ = hub;
        await using var station = new RawStation(client, wardId: 4, (callId, _) => arrivals.Add(callId));

        var starting = station.StartAsync(CancellationToken.None);
        (await hub.ReadAsync()).Should().Be("""{"protocol":"json","version":1}""" + "\u001e");
        (await hub.ReadAsync()).Should().Be("""{"type":1,"invocationId":"subscribe","target":"Subscribe","arguments":[4]}""" + "\u001e");
        await hub.SendAsync("{}\u001e" + Event(5, "call_raised", 8) + "\u001e" + Snapshot + "\u001e");
        await starting;

        // Two records and a ping in one message, a resend of 7 split over two messages, then 9 with 8 missing.
        await hub.SendAsync(Event(6, "call_raised", 10) + "\u001e" + Event(7, "call_raised", 12) + "\u001e{\"type\":6}\u001e");
        await hub.SendAsync(Event(7, "call_raised", 12)[..40], endOfMessage: false);
        await hub.SendAsync(Event(7, "call_raised", 12)[40..] + "\u001e");
        await hub.SendAsync(Event(9, "call_raised", 11) + "\u001e");
        await hub.SendAsync(Event(10, "call_resolved", 11) + "\u001e");

        await WaitUntil(() => arrivals.Count >= 4 && station.WireDuplicates + station.WireOutOfOrder >= 2);
        arrivals.Should().Equal([8, 10, 12, 11], "the event before the snapshot counts once and the resend of 7 not at all");
        station.WireDuplicates.Should().Be(1);
        station.WireOutOfOrder.Should().Be(1);
    }

    [Fact]
    public async Task AnEventOfTheSnapshotPushedAfterItIsOverlapNotAResend()
    {
        var arrivals = new List<long>();
        var (hub, client) = await ScriptedHub.ConnectAsync();
        await using var _ = hub;
        await using var station = new RawStation(client, wardId: 4, (callId, _) => arrivals.Add(callId));

        var starting = station.StartAsync(CancellationToken.None);
        await hub.ReadAsync();
        await hub.ReadAsync();
        await hub.SendAsync("{}\u001e" + Snapshot + "\u001e");
        await starting;

        // 4 and 5 were committed before the snapshot (seq 5) was read and are pushed after it; then 6, and 5 once more.
        await hub.SendAsync(Event(4, "call_accepted", 3) + "\u001e" + Event(5, "call_accepted", 2) + "\u001e");
        await hub.SendAsync(Event(6, "call_raised", 13) + "\u001e");
        await hub.SendAsync(Event(5, "call_accepted", 2) + "\u001e");
        await hub.SendAsync(Event(7, "call_raised", 14) + "\u001e");

        await WaitUntil(() => arrivals.Count >= 2);
        arrivals.Should().Equal([13, 14]);
        station.WireDuplicates.Should().Be(1, "5 was pushed twice");
        station.WireOutOfOrder.Should().Be(0);
    }

    [Fact]
    public async Task ARefusedSubscribeFailsTheStationWithTheServersSentence()
    {
        var (hub, client) = await ScriptedHub.ConnectAsync();
        await using var _ = hub;
        await using var station = new RawStation(client, wardId: 4, (_, _) => { });

        var starting = station.StartAsync(CancellationToken.None);
        await hub.ReadAsync();
        await hub.ReadAsync();
        await hub.SendAsync("{}\u001e{\"type\":3,\"invocationId\":\"subscribe\",\"error\":\"You may not watch ward 4.\"}\u001e");

        await starting.Invoking(s => s).Should().ThrowAsync<InvalidOperationException>().WithMessage("*You may not watch ward 4.*");
    }

    [Fact]
    public async Task ASubscribedStationPingsEveryKeepAlivePeriod()
    {
        var (hub, client) = await ScriptedHub.ConnectAsync();
        await using var _ = hub;
        await using var station = new RawStation(client, wardId: 4, (_, _) => { }, keepAlive: TimeSpan.FromMilliseconds(100));

        var starting = station.StartAsync(CancellationToken.None);
        await hub.ReadAsync();
        await hub.ReadAsync();
        await hub.SendAsync("{}\u001e" + Snapshot + "\u001e");
        await starting;

        for (var i = 0; i < 3; i++)
        {
            (await hub.ReadAsync().WaitAsync(TimeSpan.FromSeconds(2))).Should().Be("{\"type\":6}\u001e");
        }
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }
}
