using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Realtime;

public enum RealtimeMode
{
    /// <summary>One node: it relays the outbox to its own stations (no Redis, no bridge).</summary>
    InProcess,

    /// <summary>A cluster node: Dispatch.Bridge hands it outbox events; Redis carries them to every node.</summary>
    Bridge,
}

public sealed class RealtimeOptions : IValidatableObject
{
    public const string Section = "Realtime";

    public RealtimeMode Mode { get; set; } = RealtimeMode.InProcess;

    /// <summary>StackExchange.Redis configuration of the SignalR backplane, e.g. "127.0.0.1:6379". Required in Bridge mode.</summary>
    public string? Redis { get; set; }

    /// <summary>
    /// The backplane's channel prefix; by default "dispatch:" and the database's name, so that
    /// installations sharing a Redis never see each other's groups. Set it only to share a prefix
    /// on purpose (the nodes of one cluster all use the same database anyway).
    /// </summary>
    public string? RedisChannelPrefix { get; set; }

    /// <summary>Every bridge's NetMQ endpoint (leader and standby), e.g. "tcp://127.0.0.1:5600".</summary>
    public string[] BridgeEndpoints { get; set; } = [];

    /// <summary>The bridges' CurveZMQ public key (Z85; the leader and the standby share one pair). Required in Bridge mode.</summary>
    public string? BridgePublicKey { get; set; }

    /// <summary>
    /// This node's CurveZMQ secret key (Z85, from <c>dotnet Dispatch.Bridge.dll keygen</c>); the
    /// bridges list its public key under this node's name. Required in Bridge mode.
    /// </summary>
    public string? NodeSecretKey { get; set; }

    /// <summary>At shutdown, clients are asked to reconnect at a random moment within this window.</summary>
    [Range(0, 60_000)]
    public int ReconnectWindowMs { get; set; } = 5_000;

    /// <summary>
    /// How long a stopping node lets its goodbye leave before SignalR closes the connections: a
    /// written message is queued, not yet on the wire, and closing aborts what is queued.
    /// </summary>
    [Range(0, 2_000)]
    public int GoodbyeGraceMs { get; set; } = 500;

    /// <summary>This node's name towards the bridge; unique in the cluster.</summary>
    [Required]
    public string NodeName { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Mode == RealtimeMode.Bridge && (BridgeEndpoints.Length == 0 || string.IsNullOrWhiteSpace(Redis)))
        {
            yield return new ValidationResult(
                "Realtime:Mode Bridge needs Realtime:BridgeEndpoints and Realtime:Redis: the bridge hands each event to one node, and only the backplane carries it to the others.");
        }
        if (Mode == RealtimeMode.Bridge && (BridgePublicKey?.Length != 40 || NodeSecretKey?.Length != 40))
        {
            yield return new ValidationResult(
                "Realtime:Mode Bridge needs Realtime:BridgePublicKey and Realtime:NodeSecretKey (40-character Z85 keys, docs/bridge.md \"Keys\"): the bridge sends events only to nodes whose key it lists.");
        }
    }
}
