namespace Dispatch.Server.Node;

public enum NodeState
{
    Serving,

    /// <summary>Moving its stations to other nodes before a restart (memory watchdog, admin).</summary>
    Draining,

    /// <summary>SIGTERM or Ctrl+C: the goodbye is out and the host is stopping.</summary>
    Stopping,
}

/// <summary>
/// Whether this node takes new hub connections. A draining or stopping node refuses them (503), so
/// that nginx tries the next node (proxy_next_upstream http_503) rather than landing a station on a
/// node about to close it: with ip_hash, a failing /healthz alone moves nobody.
/// </summary>
public sealed class NodeStatus
{
    private volatile int _state = (int)NodeState.Serving;

    public NodeState State => (NodeState)_state;

    public bool AcceptsConnections => State == NodeState.Serving;

    /// <summary>Leaves Serving for <paramref name="state"/>; false if the node had already left it.</summary>
    public bool TryLeave(NodeState state) =>
        Interlocked.CompareExchange(ref _state, (int)state, (int)NodeState.Serving) == (int)NodeState.Serving;

    /// <summary>Stopping wins over draining: a drained node stops too.</summary>
    public void Stopping() => _state = (int)NodeState.Stopping;
}
