using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Node;

/// <summary>The node's heartbeat row. The section keeps its first name, Ops, so that deployed settings hold.</summary>
public sealed class NodeHeartbeatOptions
{
    public const string Section = "Ops";

    /// <summary>How often this node writes its heartbeat row (connections, memory, state).</summary>
    [Range(1, 60)]
    public int HeartbeatSeconds { get; set; } = 5;
}
