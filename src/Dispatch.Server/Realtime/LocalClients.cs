using Dispatch.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

public static class LocalClients
{
    /// <summary>
    /// Sends to this node's own connections one by one, each written directly (never through the
    /// backplane, a round trip that a stopping node does not wait for).
    /// </summary>
    public static Task SendEachAsync(this IHubClients<IDispatchClient> clients, IEnumerable<string> connectionIds, Func<IDispatchClient, Task> send) =>
        Task.WhenAll(connectionIds.Select(id => send(clients.Client(id))));
}
