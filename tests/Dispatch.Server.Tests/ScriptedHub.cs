using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Dispatch.Cli;

namespace Dispatch.Server.Tests;

/// <summary>
/// The server end of a swarm station's WebSocket on a loopback socket, scripted by a test: it
/// answers the upgrade itself, then speaks through .NET's own server-side WebSocket, which checks
/// the client's framing (a client frame must be masked) as any server would.
/// </summary>
internal sealed class ScriptedHub : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private TcpClient? _accepted;
    private WebSocket? _server;

    private ScriptedHub() => _listener.Start();

    /// <summary>A hub listening; <see cref="AcceptAsync"/> takes the next connection.</summary>
    public static ScriptedHub Listen() => new();

    public Uri Uri => new($"ws://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hubs/dispatch?x=1");

    /// <summary>The upgrade request the client sent, as text.</summary>
    public string Request { get; private set; } = "";

    /// <summary>A hub with a station's socket connected and upgraded.</summary>
    public static async Task<(ScriptedHub Hub, WireSocket Client)> ConnectAsync(WebSocketCreationOptions? server = null)
    {
        var hub = new ScriptedHub();
        var accepting = hub.AcceptAsync(server: server);
        var client = await WireSocket.ConnectAsync(hub.Uri, IPAddress.Loopback, "token-1", CancellationToken.None);
        await accepting;
        return (hub, client);
    }

    /// <summary>
    /// Accepts the next connection and reads its upgrade request; answers it with 101 (then speaks
    /// WebSocket with <paramref name="server"/>'s options) or with <paramref name="refusal"/>, a status line.
    /// </summary>
    public async Task AcceptAsync(string? refusal = null, WebSocketCreationOptions? server = null)
    {
        _accepted = await _listener.AcceptTcpClientAsync();
        var stream = _accepted.GetStream();
        var request = new List<byte>();
        var one = new byte[1];
        while (!Encoding.ASCII.GetString([.. request]).EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await stream.ReadExactlyAsync(one);
            request.Add(one[0]);
        }
        Request = Encoding.ASCII.GetString([.. request]);
        if (refusal is not null)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{refusal}\r\nContent-Length: 0\r\n\r\n"));
            return;
        }
        var key = Request.Split("\r\n").Single(l => l.StartsWith("Sec-WebSocket-Key: ", StringComparison.Ordinal))["Sec-WebSocket-Key: ".Length..];
#pragma warning disable CA5350 // RFC 6455's accept value is SHA-1 by definition.
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"));
        server ??= new WebSocketCreationOptions();
        server.IsServer = true;
        _server = WebSocket.CreateFromStream(stream, server);
    }

    public Task SendAsync(string text, bool endOfMessage = true) =>
        _server!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage, CancellationToken.None);

    public async Task<string> ReadAsync()
    {
        var buffer = new byte[4096];
        var result = await _server!.ReceiveAsync(buffer, CancellationToken.None);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    public Task CloseAsync() => _server!.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);

    public ValueTask DisposeAsync()
    {
        _server?.Dispose();
        _accepted?.Dispose();
        _listener.Dispose();
        return ValueTask.CompletedTask;
    }
}
