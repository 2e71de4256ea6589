using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections.Client;

namespace Dispatch.Client;

/// <summary>
/// WebSockets that leave from a chosen local address: a station on a host with several addresses,
/// or a load generator spreading its connections over loopback /24s (127.0.N.x), since nginx's
/// ip_hash keys on the first three octets of the client's address.
/// </summary>
public static class LocalAddress
{
    /// <summary>A WebSocket factory for <see cref="HttpConnectionOptions.WebSocketFactory"/> that binds to <paramref name="local"/>.</summary>
    /// <param name="local">The address the connection leaves from.</param>
    /// <param name="token">The session token; a custom factory must send it itself.</param>
    public static Func<WebSocketConnectionContext, CancellationToken, ValueTask<WebSocket>> WebSocketFactory(IPAddress local, string? token) =>
        async (context, ct) => await ConnectAsync(context.Uri, Invoker(local), token, ct).ConfigureAwait(false);

    /// <summary>Opens a WebSocket to <paramref name="uri"/> through <paramref name="invoker"/> (see <see cref="Invoker"/>), with the session token as a bearer header.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, HttpMessageInvoker invoker, string? token, CancellationToken ct)
    {
        var socket = new ClientWebSocket();
        if (token is not null)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
        }
        try
        {
            await socket.ConnectAsync(uri, invoker, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>An HTTP invoker whose connections leave from <paramref name="local"/>; one serves any number of WebSockets.</summary>
    public static HttpMessageInvoker Invoker(IPAddress local) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (connect, connectToken) =>
        {
            var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(local, 0));
                await tcp.ConnectAsync(connect.DnsEndPoint, connectToken).ConfigureAwait(false);
                return new NetworkStream(tcp, ownsSocket: true);
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        },
    });
}
