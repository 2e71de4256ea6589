using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Dispatch.IntegrationTests.Infrastructure;

/// <summary>
/// WebSockets that leave from a chosen loopback address (127.0.N.x). nginx's ip_hash keys on the
/// first three octets, so clients from different /24s spread over the nodes as a hospital's
/// subnets would, although every test client runs on this one machine.
/// </summary>
public static class LoopbackSource
{
    public static IPAddress Subnet(int n) => IPAddress.Parse($"127.0.{n}.10");

    public static Func<WebSocketConnectionContext, CancellationToken, ValueTask<WebSocket>> WebSocketFactory(IPAddress source, string? token) =>
        async (context, ct) =>
        {
            var socket = new ClientWebSocket();
            if (token is not null)
            {
                // A custom factory sends the token itself (the default one would add it).
                socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
            }
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (connect, connectToken) =>
                {
                    var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    tcp.Bind(new IPEndPoint(source, 0));
                    await tcp.ConnectAsync(connect.DnsEndPoint, connectToken);
                    return new NetworkStream(tcp, ownsSocket: true);
                },
            };
            await socket.ConnectAsync(context.Uri, new HttpMessageInvoker(handler), ct);
            return socket;
        };
}
