using System.Net;
using System.Net.WebSockets;
using System.Text;
using Dispatch.Cli;

namespace Dispatch.Server.Tests;

/// <summary>
/// The swarm's own WebSocket client against .NET's server-side WebSocket: the upgrade, masked
/// frames out, and the text of every frame length and fragmentation in, with pings answered.
/// </summary>
public sealed class WireSocketTests
{
    [Fact]
    public async Task ItUpgradesWithTheTokenSendsMaskedTextAndReadsFramesOfEveryLengthAsOneText()
    {
        // The server pings every 50 ms and aborts a connection that does not answer within 1 s (a
        // shorter bound failed on a loaded CI machine); the frames below take 1.5 s.
        var (hub, client) = await ScriptedHub.ConnectAsync(new WebSocketCreationOptions
        {
            KeepAliveInterval = TimeSpan.FromMilliseconds(50),
            KeepAliveTimeout = TimeSpan.FromSeconds(1),
        });
        await using var scripted = hub;
        using var station = client;
        var received = new StringBuilder();
        var receiving = Task.Run(async () =>
        {
            for (var text = await client.ReceiveTextAsync(CancellationToken.None); !text.IsEmpty; text = await client.ReceiveTextAsync(CancellationToken.None))
            {
                received.Append(Encoding.UTF8.GetString(text.Span));
            }
        });

        hub.Request.Should().StartWith("GET /hubs/dispatch?x=1 HTTP/1.1\r\n").And.Contain("\r\nAuthorization: Bearer token-1\r\n")
            .And.Contain($"\r\nHost: {hub.Uri.Authority}\r\n").And.Contain("\r\nSec-WebSocket-Version: 13\r\n");
        var outgoing = new string('o', 300);
        await client.SendTextAsync(Encoding.UTF8.GetBytes(outgoing), CancellationToken.None);
        (await hub.ReadAsync()).Should().Be(outgoing, "the server unmasks what the client masked");
        var serverReading = hub.ReadAsync(); // the server reads on, and so sees the pongs

        // Lengths in 7, 16 and 64 bits, one message in three frames, and pings between them for 1.5 s.
        var sent = new StringBuilder();
        foreach (var (text, end) in new[] { ("a" + new string('7', 100), true), (new string('6', 3_000), false), ("b", false), ("c", true), (new string('8', 70_000), true) })
        {
            await hub.SendAsync(text, end);
            sent.Append(text);
            await Task.Delay(300);
        }
        await hub.CloseAsync();

        await receiving.WaitAsync(TimeSpan.FromSeconds(5));
        received.ToString().Should().Be(sent.ToString());
        client.IsOpen.Should().BeFalse();
    }

    [Fact]
    public async Task ARefusedUpgradeFailsWithTheServersStatus()
    {
        await using var hub = ScriptedHub.Listen();
        var accepting = hub.AcceptAsync(refusal: "HTTP/1.1 401 Unauthorized");

        var connecting = () => WireSocket.ConnectAsync(hub.Uri, IPAddress.Loopback, "expired", CancellationToken.None);

        await connecting.Should().ThrowAsync<WebSocketException>().WithMessage("*status code '401'*");
        await accepting;
    }
}
