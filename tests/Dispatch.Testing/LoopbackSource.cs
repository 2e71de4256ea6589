using System.Net;
using System.Net.WebSockets;
using Dispatch.Client;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Dispatch.Testing;

/// <summary>
/// Loopback /24s (127.0.N.x). nginx's ip_hash keys on the first three octets, so clients from
/// different /24s spread over the nodes as a hospital's subnets would, although every test client
/// runs on this one machine.
/// </summary>
public static class LoopbackSource
{
    public static IPAddress Subnet(int n) => IPAddress.Parse($"127.0.{n}.10");

    public static Func<WebSocketConnectionContext, CancellationToken, ValueTask<WebSocket>> WebSocketFactory(IPAddress source, string? token) =>
        LocalAddress.WebSocketFactory(source, token);
}
