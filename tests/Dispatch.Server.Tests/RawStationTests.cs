using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
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
        await using var hub = await ScriptedHub.StartAsync();
        await using var station = new RawStation(hub.Client, wardId: 4, (callId, _) => arrivals.Add(callId));

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
        await using var hub = await ScriptedHub.StartAsync();
        await using var station = new RawStation(hub.Client, wardId: 4, (callId, _) => arrivals.Add(callId));

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
        await using var hub = await ScriptedHub.StartAsync();
        await using var station = new RawStation(hub.Client, wardId: 4, (_, _) => { });

        var starting = station.StartAsync(CancellationToken.None);
        await hub.ReadAsync();
        await hub.ReadAsync();
        await hub.SendAsync("{}\u001e{\"type\":3,\"invocationId\":\"subscribe\",\"error\":\"You may not watch ward 4.\"}\u001e");

        await starting.Invoking(s => s).Should().ThrowAsync<InvalidOperationException>().WithMessage("*You may not watch ward 4.*");
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }
    }

    /// <summary>Both ends of a WebSocket over a loopback TCP connection; the server end is scripted by the test.</summary>
    private sealed class ScriptedHub(TcpListener listener, TcpClient clientTcp, TcpClient serverTcp) : IAsyncDisposable
    {
        public WebSocket Client { get; } = WebSocket.CreateFromStream(clientTcp.GetStream(), new WebSocketCreationOptions { IsServer = false });

        private WebSocket Server { get; } = WebSocket.CreateFromStream(serverTcp.GetStream(), new WebSocketCreationOptions { IsServer = true });

        public static async Task<ScriptedHub> StartAsync()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var client = new TcpClient();
            var accepting = listener.AcceptTcpClientAsync();
            await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            return new ScriptedHub(listener, client, await accepting);
        }

        public Task SendAsync(string text, bool endOfMessage = true) =>
            Server.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

        public async Task<string> ReadAsync()
        {
            var buffer = new byte[4096];
            var result = await Server.ReceiveAsync(buffer, CancellationToken.None);
            return Encoding.UTF8.GetString(buffer, 0, result.Count);
        }

        public ValueTask DisposeAsync()
        {
            Server.Dispose();
            serverTcp.Dispose();
            clientTcp.Dispose();
            listener.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
