using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>One live hub connection on this node: its staff session and the wards it watches.</summary>
public sealed record LiveConnection(HubCallerContext Context, long SessionId, ImmutableHashSet<int> Wards)
{
    public string ConnectionId => Context.ConnectionId;
}

/// <summary>
/// This node's live hub connections, the staff session behind each and the wards each watches:
/// counted for /ws-health and metrics, told goodbye at shutdown, moved ward by ward when the node
/// drains, and closed when their session is revoked. Only this node's connections are here (with
/// the Redis backplane, Clients.All would reach every node's).
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly ConcurrentDictionary<string, LiveConnection> _connections = new();
    private long _opened;
    private long _dropped;

    public long Current => _connections.Count;

    public IReadOnlyList<string> ConnectionIds => [.. _connections.Keys];

    public IReadOnlyList<LiveConnection> Snapshot => [.. _connections.Values];

    public IReadOnlyList<long> SessionIds => _connections.Values.Select(c => c.SessionId).Distinct().ToList();

    public void Connected(HubCallerContext context, long sessionId)
    {
        _connections[context.ConnectionId] = new LiveConnection(context, sessionId, []);
        Interlocked.Increment(ref _opened);
    }

    /// <param name="connectionId">The connection that ended.</param>
    /// <param name="dropped">It ended by an error (network, server), not by the client closing it.</param>
    public void Disconnected(string connectionId, bool dropped = false)
    {
        _connections.TryRemove(connectionId, out _);
        if (dropped)
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Connections opened and dropped since the last call (for the drop rate KPI).</summary>
    public (long Opened, long Dropped) TakeCounts() => (Interlocked.Exchange(ref _opened, 0), Interlocked.Exchange(ref _dropped, 0));

    public void Watching(string connectionId, int wardId) => Update(connectionId, c => c with { Wards = c.Wards.Add(wardId) });

    public void NotWatching(string connectionId, int wardId) => Update(connectionId, c => c with { Wards = c.Wards.Remove(wardId) });

    public bool IsConnected(string connectionId) => _connections.ContainsKey(connectionId);

    /// <summary>The connections of these sessions, with a way to close each.</summary>
    public IReadOnlyList<HubCallerContext> OfSessions(IReadOnlySet<long> sessionIds) =>
        _connections.Values.Where(c => sessionIds.Contains(c.SessionId)).Select(c => c.Context).ToList();

    /// <summary>Changes a connection's entry unless it has gone meanwhile.</summary>
    private void Update(string connectionId, Func<LiveConnection, LiveConnection> change)
    {
        while (_connections.TryGetValue(connectionId, out var current) && !_connections.TryUpdate(connectionId, change(current), current))
        {
            // Changed concurrently (another Subscribe of the same connection): apply to the new entry.
        }
    }
}
