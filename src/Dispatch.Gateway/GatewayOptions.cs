using System.ComponentModel.DataAnnotations;

namespace Dispatch.Gateway;

/// <summary>The gateway's settings (section Gateway); each line is Gateway:Lines:NAME (<see cref="LineOptions"/>).</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string Section = "Gateway";

    /// <summary>Where Dispatch's API is (a node, or nginx in front of the nodes).</summary>
    [Required]
    public Uri ServerUrl { get; set; } = new("http://127.0.0.1:5080");

    /// <summary>
    /// How often a line that is being heard is reported to the server. Below the server's
    /// Supervision:LineSilentSeconds, past which a line not reported is shown silent.
    /// </summary>
    [Range(1, 3_600)]
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>
    /// The same message from the same address within this long is one press sent again (a
    /// retransmission after a lost ACK): it is sent on with the same Idempotency-Key, so it makes one call.
    /// </summary>
    [Range(1, 3_600)]
    public int RetransmitWindowSeconds { get; set; } = 30;

    /// <summary>How long the server is given to take a message before the line is told it was not taken.</summary>
    [Range(100, 60_000)]
    public int ServerTimeoutMs { get; set; } = 5_000;

    public Dictionary<string, LineOptions> Lines { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Lines.Count == 0)
        {
            yield return new ValidationResult("At least one line is required (Gateway:Lines:NAME:Protocol, :Key, and :Listen, :Connect or :Serial).", [nameof(Lines)]);
        }
        foreach (var (name, line) in Lines)
        {
            var context = new ValidationContext(line);
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(line, context, results, validateAllProperties: true);
            foreach (var result in results.Concat(line.Validate(context)))
            {
                yield return new ValidationResult($"Gateway:Lines:{name}: {result.ErrorMessage}", [nameof(Lines)]);
            }
        }
    }
}
