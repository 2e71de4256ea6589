using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Clinical;

/// <summary>Seconds from a call's creation, while unacknowledged, to each escalation level.</summary>
public sealed class EscalationOptions : IValidatableObject
{
    public const string Section = "Escalation";

    [Range(1, 3600)]
    public int Level1Seconds { get; set; } = 90;

    [Range(1, 3600)]
    public int Level2Seconds { get; set; } = 180;

    [Range(1, 3600)]
    public int Level3Seconds { get; set; } = 300;

    /// <summary>
    /// The longest the sweep waits between looks. It wakes at each known deadline; this bounds how
    /// late it notices a new call (whose first deadline is Level1Seconds away, so well within it).
    /// </summary>
    [Range(50, 10_000)]
    public int SweepIntervalMs { get; set; } = 1_000;

    /// <summary>Seconds from creation to <paramref name="level"/>, for levels 1 to 3.</summary>
    public int SecondsTo(int level) => level switch
    {
        1 => Level1Seconds,
        2 => Level2Seconds,
        3 => Level3Seconds,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Escalation levels are 1 to 3."),
    };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!(Level1Seconds < Level2Seconds && Level2Seconds < Level3Seconds))
        {
            yield return new ValidationResult("Escalation levels must come in order: Level1Seconds < Level2Seconds < Level3Seconds.");
        }
    }
}
