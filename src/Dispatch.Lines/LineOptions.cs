using System.ComponentModel.DataAnnotations;

namespace Dispatch.Lines;

/// <summary>One line from the primary nurse-call system (Gateway:Lines:NAME): Dispatch hears calls on it.</summary>
public sealed class LineOptions : LineLinkOptions
{
    /// <summary>
    /// ESPA: "slave" (the primary system is the control station and selects Dispatch) or
    /// "control" (Dispatch polls the primary system, which then selects Dispatch).
    /// </summary>
    public string EspaRole { get; set; } = "slave";

    /// <summary>ESPA: Dispatch's station address on the line ('2', the paging system, by the standard's recommendation).</summary>
    public override char EspaAddress { get; set; } = '2';

    /// <summary>ESPA: the primary system's address ('1').</summary>
    public override char EspaPeerAddress { get; set; } = '1';

    /// <summary>ESPA control role: how often the primary system is polled.</summary>
    [Range(100, 60_000)]
    public int PollIntervalMs { get; set; } = 1_000;

    protected override IEnumerable<ValidationResult> ValidateEnd()
    {
        if (EspaRole is not ("slave" or "control"))
        {
            yield return new ValidationResult($"EspaRole must be 'slave' or 'control', not '{EspaRole}'.", [nameof(EspaRole)]);
        }
    }
}
