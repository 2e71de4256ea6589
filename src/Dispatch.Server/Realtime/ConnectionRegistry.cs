using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>
/// This node's live hub connections and the staff session behind each: counted for /ws-health and
/// metrics, told goodbye at shutdown, and closed when their session is revoked. Only this node's
/// connections are here (with the Redis backplane, Clients.All would reach every node's).
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, (long SessionId, HubCallerContext Context)> _connections = new();

    public long Current => _connections.Count;

    public IReadOnlyList<string> ConnectionIds => [.. _connections.Keys];

    public IReadOnlyList<long> SessionIds => _connections.Values.Select(c => c.SessionId).Distinct().ToList();

    public void Connected(HubCallerContext context, long sessionId) => _connections[context.ConnectionId] = (sessionId, context);

    public void Disconnected(string connectionId) => _connections.TryRemove(connectionId, out _);

    /// <summary>The connections of these sessions, with a way to close each.</summary>
    public IReadOnlyList<HubCallerContext> OfSessions(IReadOnlySet<long> sessionIds) =>
        _connections.Values.Where(c => sessionIds.Contains(c.SessionId)).Select(c => c.Context).ToList();
}
