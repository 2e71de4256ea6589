namespace Dispatch.Outbox;

/// <summary>
/// The bridge protocol's frame names (docs/bridge.md). Node → bridge: HELLO (liveness, every
/// second), WAKE (after a commit), TAKEN (a delivery arrived), ACK (a delivery was published),
/// FAILED (a delivery could not be published: hand it on now).
/// Bridge → node: EVENTS
/// (one ward's batch, to be published once to the cluster, then acknowledged) and HEARTBEAT
/// (every ward's latest sequence, to be published to each ward's stations).
/// </summary>
public static class BridgeFrames
{
    public const string Hello = "HELLO";
    public const string Bye = "BYE";
    public const string Wake = "WAKE";
    public const string Taken = "TAKEN";
    public const string Ack = "ACK";
    public const string Failed = "FAILED";
    public const string Events = "EVENTS";
    public const string Heartbeat = "HEARTBEAT";
}
