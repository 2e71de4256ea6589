using System.ComponentModel.DataAnnotations;

namespace Dispatch.Bridge;

public sealed class BridgeOptions
{
    public const string Section = "Bridge";

    /// <summary>Where this bridge binds its ROUTER socket once it leads. Each bridge has its own.</summary>
    [Required]
    public string Endpoint { get; set; } = "tcp://127.0.0.1:5600";

    /// <summary>
    /// Fallback poll of the outbox. Nodes wake the bridge after each commit (escalations included),
    /// so this only bounds the delay of a wake lost in a failover.
    /// </summary>
    [Range(10, 10_000)]
    public int PollIntervalMs { get; set; } = 500;

    /// <summary>A delivery not acknowledged in this time goes to another node.</summary>
    [Range(50, 60_000)]
    public int AckTimeoutMs { get; set; } = 2_000;

    /// <summary>A node silent (no HELLO) for this long is not sent anything.</summary>
    [Range(1_000, 60_000)]
    public int NodeTimeoutMs { get; set; } = 3_000;

    [Range(1, 300)]
    public int WardHeartbeatSeconds { get; set; } = 10;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;
}
