using System.ComponentModel.DataAnnotations;
using Dispatch.Outbox;

namespace Dispatch.Bridge;

public sealed class BridgeOptions : IValidatableObject
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

    /// <summary>A delivery the node has not said TAKEN of in this time goes to another node.</summary>
    [Range(50, 60_000)]
    public int AckTimeoutMs { get; set; } = 2_000;

    /// <summary>
    /// How long a node that has taken a delivery, and still says HELLO, may take to publish it
    /// before it goes to another node: a busy node is waited for, since handing its delivery on
    /// would show the events twice.
    /// </summary>
    [Range(100, 120_000)]
    public int PublishTimeoutMs { get; set; } = 5_000;

    /// <summary>A node silent (no HELLO) for this long is not sent anything.</summary>
    [Range(1_000, 60_000)]
    public int NodeTimeoutMs { get; set; } = 3_000;

    [Range(1, 300)]
    public int WardHeartbeatSeconds { get; set; } = 10;

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// The bridge's CurveZMQ secret key (Z85, from <c>keygen</c>). The leader and the standby share
    /// one pair; every node holds its public key.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>Each node's name and CurveZMQ public key (Z85): the only nodes this bridge sends anything.</summary>
    public Dictionary<string, string> Nodes { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var errors = new List<ValidationResult>();
        Check(() => NodeProof.FromSecretKey(SecretKey, $"{Section}:SecretKey"));
        if (Nodes.Count == 0)
        {
            errors.Add(new ValidationResult($"{Section}:Nodes lists no node and its public key: the bridge would send events to nobody."));
        }
        foreach (var (name, key) in Nodes)
        {
            Check(() => NodeProof.PublicKey(key, $"{Section}:Nodes:{name}"));
        }
        return errors;

        void Check(Action parse)
        {
            try
            {
                parse();
            }
            catch (InvalidOperationException e)
            {
                errors.Add(new ValidationResult(e.Message));
            }
        }
    }
}
