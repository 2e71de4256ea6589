namespace Dispatch.Server.Realtime;

/// <summary>Live hub connections on this node, for /ws-health and metrics.</summary>
public sealed class ConnectionCounter
{
    private long _connections;

    public long Current => Interlocked.Read(ref _connections);

    public void Connected() => Interlocked.Increment(ref _connections);

    public void Disconnected() => Interlocked.Decrement(ref _connections);
}
