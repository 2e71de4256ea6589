namespace Dispatch.Outbox;

/// <summary>
/// The bridge protocol's frame names (docs/bridge.md). Node → bridge: HELLO (liveness, every
/// second), WAKE (after a commit), ACK (a delivery was published). Bridge → node: EVENTS
/// (one ward's batch, to be published once to the cluster, then acknowledged) and HEARTBEAT
/// (every ward's latest sequence, to be published to each ward's stations).
/// </summary>
public static class BridgeFrames
{
    public const string Hello = "HELLO";
    public const string Wake = "WAKE";
    public const string Ack = "ACK";
    public const string Events = "EVENTS";
    public const string Heartbeat = "HEARTBEAT";
}
