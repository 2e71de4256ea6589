namespace Dispatch.Server.Hospital;

/// <summary>
/// Which nurse has which beds in which shift (see deploy/roster.example.json). A call goes first
/// to its bed's primary nurse of the shift running, then to the secondary, when on duty; without
/// a roster, to the ward's on-duty nurse with the fewest open calls.
/// </summary>
public sealed record RosterFile(IReadOnlyList<ShiftEntry>? Shifts);

/// <summary>One shift's window (UTC) and its nurses' beds, each bed named "ward/room/bed".</summary>
public sealed record ShiftEntry(DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<RosterEntry>? Assignments);

public sealed record RosterEntry(string? Nurse, IReadOnlyList<string>? Primary, IReadOnlyList<string>? Secondary);

/// <summary>Reads a roster file and lists what is wrong with it on its own.</summary>
public static class RosterFileReader
{
    /// <summary>No shift is longer than a day: a longer window is a typing mistake in a date.</summary>
    public static readonly TimeSpan LongestShift = TimeSpan.FromHours(24);

    public static (RosterFile? File, string? Error) Parse(string json) => ImportJson.Parse<RosterFile>(json, "roster file");

    /// <summary>Missing or reversed windows, nurses listed twice in a shift, beds with two primary nurses in a shift.</summary>
    public static IReadOnlyList<string> Problems(RosterFile file)
    {
        var problems = new List<string>();
        foreach (var (shift, s) in (file.Shifts ?? []).Select((shift, s) => (shift, s)))
        {
            var at = $"shifts[{s}]";
            if (shift is null)
            {
                problems.Add($"{at}: empty.");
                continue;
            }
            if (shift.From is not { } from || shift.To is not { } to)
            {
                problems.Add($"{at}: 'from' and 'to' are required (ISO 8601 with a time zone, e.g. 2026-11-25T07:00:00Z).");
            }
            else if (to <= from || to - from > LongestShift)
            {
                problems.Add($"{at}: 'to' must come after 'from', at most {LongestShift.TotalHours:0} hours later.");
            }
            else if (from.Ticks % TimeSpan.TicksPerMinute != 0 || to.Ticks % TimeSpan.TicksPerMinute != 0)
            {
                // The window is the shift's key: whole minutes store and compare exactly.
                problems.Add($"{at}: 'from' and 'to' must be whole minutes.");
            }
            var nurses = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var primaries = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (entry, a) in (shift.Assignments ?? []).Select((entry, a) => (entry, a)))
            {
                var entryAt = $"{at}.assignments[{a}]";
                if (string.IsNullOrWhiteSpace(entry?.Nurse))
                {
                    problems.Add($"{entryAt}.nurse: required (a username).");
                    continue;
                }
                if (!nurses.Add(entry.Nurse.Trim()))
                {
                    problems.Add($"{entryAt}.nurse: '{entry.Nurse.Trim()}' is listed twice in this shift.");
                }
                foreach (var (bed, b) in (entry.Primary ?? []).Select((bed, b) => (bed, b)))
                {
                    if (!primaries.Add(BedName.Normalise(bed)))
                    {
                        problems.Add($"{entryAt}.primary[{b}]: '{bed}' has another primary nurse in this shift.");
                    }
                }
                foreach (var (bed, b) in (entry.Primary ?? []).Concat(entry.Secondary ?? []).Select((bed, b) => (bed, b)))
                {
                    if (BedName.Parse(bed) is null)
                    {
                        problems.Add($"{entryAt}: '{bed}' is not a bed's name as ward/room/bed.");
                    }
                }
            }
        }
        return problems;
    }
}

/// <summary>A bed as people name it: "Emergency/E01/A" (ward, room, bed label; case does not matter).</summary>
public static class BedName
{
    public static (string Ward, string Room, string Label)? Parse(string? name) =>
        name?.Split('/', StringSplitOptions.TrimEntries) is [{ Length: > 0 } ward, { Length: > 0 } room, { Length: > 0 } label]
            ? (ward, room, label)
            : null;

    public static string Normalise(string? name) =>
        Parse(name) is var (ward, room, label) ? $"{ward}/{room}/{label}" : name ?? "";
}
