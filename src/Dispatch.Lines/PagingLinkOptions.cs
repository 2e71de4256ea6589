using System.ComponentModel.DataAnnotations;

namespace Dispatch.Lines;

/// <summary>
/// The link to the paging server (Gateway:Paging): Dispatch sends pages on it, as an entry device
/// (TAP) or as the control station selecting the paging system (ESPA 4.4.4).
/// </summary>
public sealed class PagingLinkOptions : LineLinkOptions
{
    /// <summary>ESPA: Dispatch's address, as the telephone or computer system ('1').</summary>
    public override char EspaAddress { get; set; } = '1';

    /// <summary>ESPA: the paging system's address ('2').</summary>
    public override char EspaPeerAddress { get; set; } = '2';

    /// <summary>How often the server is asked for pages to send.</summary>
    [Range(100, 60_000)]
    public int PollMs { get; set; } = 500;

    protected override IEnumerable<ValidationResult> ValidateEnd()
    {
        if (!string.IsNullOrWhiteSpace(Listen))
        {
            yield return new ValidationResult("The paging server is reached by Connect (host:port) or Serial, not Listen.", [nameof(Listen)]);
        }
    }
}
