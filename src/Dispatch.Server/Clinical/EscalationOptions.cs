using System.ComponentModel.DataAnnotations;
using Dispatch.Contracts;

namespace Dispatch.Server.Clinical;

/// <summary>
/// Seconds from a call's creation, while unacknowledged, to each escalation level: the ladder of
/// every kind, and per kind where the ward's practice differs (Escalation:Kinds:code_blue:Level1Seconds=30).
/// </summary>
public sealed class EscalationOptions : IValidatableObject
{
    public const string Section = "Escalation";

    private const int MaxSeconds = 3600;

    [Range(1, MaxSeconds)]
    public int Level1Seconds { get; set; } = 90;

    [Range(1, MaxSeconds)]
    public int Level2Seconds { get; set; } = 180;

    [Range(1, MaxSeconds)]
    public int Level3Seconds { get; set; } = 300;

    /// <summary>Ladders by kind (its wire name); a level a kind does not set is the one above.</summary>
    public Dictionary<string, KindLadder> Kinds { get; set; } = [];

    /// <summary>
    /// The longest the sweep waits between looks. It wakes at each known deadline; this bounds how
    /// late it notices a new call (whose first deadline is Level1Seconds away, so well within it).
    /// </summary>
    [Range(50, 10_000)]
    public int SweepIntervalMs { get; set; } = 1_000;

    /// <summary>Seconds from creation to <paramref name="level"/> (1 to 3) for a call of <paramref name="kind"/>.</summary>
    public int SecondsTo(string kind, int level)
    {
        var own = Kinds.GetValueOrDefault(kind);
        return level switch
        {
            1 => own?.Level1Seconds ?? Level1Seconds,
            2 => own?.Level2Seconds ?? Level2Seconds,
            3 => own?.Level3Seconds ?? Level3Seconds,
            _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Escalation levels are 1 to 3."),
        };
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var kind in Kinds.Keys.Where(k => !CallKinds.IsKnown(k)))
        {
            yield return new ValidationResult($"Escalation:Kinds:{kind} is not a call kind; the kinds are {string.Join(", ", CallKinds.All)}.");
        }
        foreach (var kind in CallKinds.All)
        {
            var ladder = new[] { SecondsTo(kind, 1), SecondsTo(kind, 2), SecondsTo(kind, 3) };
            var where = Kinds.ContainsKey(kind) ? $"Escalation:Kinds:{kind}" : "Escalation";
            if (ladder.Any(seconds => seconds is < 1 or > MaxSeconds))
            {
                yield return new ValidationResult($"{where}: each level is 1 to {MaxSeconds} seconds.");
            }
            else if (!(ladder[0] < ladder[1] && ladder[1] < ladder[2]))
            {
                yield return new ValidationResult($"{where}: levels must come in order, Level1Seconds < Level2Seconds < Level3Seconds (for {kind}: {string.Join(", ", ladder)}).");
            }
        }
    }
}
