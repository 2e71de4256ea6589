using System.ComponentModel.DataAnnotations;
using Dispatch.Lines;

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

    /// <summary>The paging server, if pages are to be sent (Gateway:Paging:Protocol, :Key, :Connect or :Serial).</summary>
    public PagingLinkOptions? Paging { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Lines.Count == 0 && Paging is null)
        {
            yield return new ValidationResult(
                "Nothing to do: configure a line (Gateway:Lines:NAME:Protocol, :Key, and :Listen, :Connect or :Serial) or the paging server (Gateway:Paging:…).",
                [nameof(Lines)]);
        }
        var links = Lines.Select(line => ($"Gateway:Lines:{line.Key}", (LineLinkOptions)line.Value));
        foreach (var (at, link) in Paging is null ? links : links.Append(("Gateway:Paging", Paging)))
        {
            var context = new ValidationContext(link);
            var results = new List<ValidationResult>();
            // Its attributes, then, when they hold, its own Validate.
            Validator.TryValidateObject(link, context, results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult($"{at}: {result.ErrorMessage}", [nameof(Lines)]);
            }
        }
    }
}
