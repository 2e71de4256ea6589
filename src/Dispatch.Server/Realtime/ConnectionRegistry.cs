using System.Collections.Concurrent;
using System.Collections.Immutable;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>
/// One live hub connection on this node: its staff session, the wards it watches and, for a
/// nurse-station screen that identified itself, its station device.
/// </summary>
public sealed record LiveConnection(HubCallerContext Context, long SessionId, ImmutableHashSet<int> Wards, int? StationId = null)
{
    public string ConnectionId => Context.ConnectionId;
}

/// <summary>
/// This node's live hub connections, the staff session behind each and the wards each watches:
/// counted for /ws-health and metrics, told goodbye at shutdown, moved ward by ward when the node
/// drains, and closed when their session is revoked. Only this node's connections are here
/// (Clients.All would reach every node's).
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

    /// <summary>The wards the connection has subscribed to (none once it has left).</summary>
    public IReadOnlySet<int> WardsOf(string connectionId) =>
        _connections.TryGetValue(connectionId, out var connection) ? connection.Wards : ImmutableHashSet<int>.Empty;

    public void Watching(string connectionId, int wardId) => Update(connectionId, c => c with { Wards = c.Wards.Add(wardId) });

    public void NotWatching(string connectionId, int wardId) => Update(connectionId, c => c with { Wards = c.Wards.Remove(wardId) });

    /// <summary>The connection is this station's screen: the node's heartbeat vouches for it while it stays connected.</summary>
    /// <summary>The station this connection identified as, if any.</summary>
    public int? StationOf(string connectionId) => _connections.TryGetValue(connectionId, out var connection) ? connection.StationId : null;

    public void IdentifiedAs(string connectionId, int stationId) => Update(connectionId, c => c with { StationId = stationId });

    /// <summary>The station devices connected to this node.</summary>
    public IReadOnlyList<int> StationIds => _connections.Values.Select(c => c.StationId).OfType<int>().Distinct().ToList();

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
