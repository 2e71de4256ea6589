using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Dispatch.Contracts;
using Dispatch.Server.Clinical;
using Dispatch.Server.Sessions;

namespace Dispatch.Server.Hospital;

/// <summary>
/// A hospital's layout and staff as its IT team describes it (see deploy/hospital.example.json):
/// floors with their wards, each ward's rooms and beds and its nurse-station screens, and the
/// staff, the teams that answer some kinds of call wherever they happen, and the lines from the
/// primary nurse-call system that Dispatch.Gateway hears. Names are the keys: importing the file
/// again updates what has the same name.
/// </summary>
public sealed record HospitalFile(
    IReadOnlyList<FloorEntry>? Floors, IReadOnlyList<StaffEntry>? Staff, IReadOnlyList<TeamEntry>? Teams = null, IReadOnlyList<LineEntry>? Lines = null);

public sealed record FloorEntry(string? Name, int? Level, IReadOnlyList<WardEntry>? Wards);

public sealed record WardEntry(string? Name, string? Department, IReadOnlyList<RoomEntry>? Rooms, IReadOnlyList<string>? Stations);

public sealed record RoomEntry(string? Name, IReadOnlyList<string>? Beds);

/// <summary>
/// A staff member; nurses and managers belong to a ward (a manager to their department through it).
/// With a pager (the number the paging server knows their pager or DECT phone by), they are paged
/// when a call is assigned or escalated to them, or raised for their team (Dispatch.Gateway).
/// </summary>
public sealed record StaffEntry(string? Username, string? Name, string? Role, string? Ward, string? Pager = null);

/// <summary>
/// A team (the code team): its members, by username, get every call of its kinds, of any ward, as
/// soon as it is raised. Importing a team again replaces its members and kinds.
/// </summary>
public sealed record TeamEntry(string? Name, IReadOnlyList<string>? Members, IReadOnlyList<string>? Kinds);

/// <summary>
/// A line from the primary nurse-call system (ESPA 4.4.4 or TAP, heard by Dispatch.Gateway): what
/// each of its call addresses means, and words in a message's text that change it. A line without
/// addresses only pages (to the paging server). Importing a line again replaces its addresses and texts.
/// </summary>
public sealed record LineEntry(string? Name, IReadOnlyList<LineAddressEntry>? Addresses, IReadOnlyList<LineTextEntry>? Texts);

/// <summary>A call address (ESPA record 1, TAP pager id): a call of this kind at this bed.</summary>
public sealed record LineAddressEntry(string? Address, string? Ward, string? Room, string? Bed, string? Kind);

/// <summary>A message whose text contains these words (any case) is a call of another kind, or, with cancel, the end of the address's call.</summary>
public sealed record LineTextEntry(string? Contains, string? Kind, bool? Cancel);

/// <summary>Reads a hospital file and lists everything wrong with it, each with where it is.</summary>
public static partial class HospitalFileReader
{
    // The columns' lengths (db/migrations/001_hospital.up.sql).
    private const int MaxFloorName = 64;
    private const int MaxWardName = 64;
    private const int MaxDepartment = 64;
    private const int MaxRoomName = 32;
    private const int MaxBedLabel = 16;
    private const int MaxDeviceName = 64;
    private const int MaxUsername = 64;
    private const int MaxDisplayName = 128;
    private const int MaxTeamName = 64;
    private const int MaxLineAddress = 32;
    private const int MaxLineText = 64;

    /// <summary>The file, or the reason it cannot be read as one.</summary>
    public static (HospitalFile? File, string? Error) Parse(string json) => ImportJson.Parse<HospitalFile>(json, "hospital file");

    /// <summary>
    /// What is wrong with the file on its own (the database is not consulted): missing or too long
    /// names, names used twice where they must be unique, unknown roles, staff without a ward,
    /// teams without members or with a kind that is not a call kind.
    /// </summary>
    public static IReadOnlyList<string> Problems(HospitalFile file)
    {
        var problems = new List<string>();
        var wardNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var floorNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (floor, f) in Entries(problems, "floors", file.Floors))
        {
            var at = $"floors[{f}]";
            Name(problems, at, "name", floor.Name, MaxFloorName, floorNames);
            if (floor.Level is null)
            {
                problems.Add($"{at}.level: required (the floor's level; escalation goes to the next floor up).");
            }
            foreach (var (ward, w) in Entries(problems, $"{at}.wards", floor.Wards))
            {
                var wardAt = $"{at}.wards[{w}]";
                Name(problems, wardAt, "name", ward.Name, MaxWardName, wardNames);
                Name(problems, wardAt, "department", ward.Department, MaxDepartment, unique: null);
                var roomNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (room, r) in Entries(problems, $"{wardAt}.rooms", ward.Rooms))
                {
                    var roomAt = $"{wardAt}.rooms[{r}]";
                    Name(problems, roomAt, "name", room.Name, MaxRoomName, roomNames);
                    var labels = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var (label, b) in (room.Beds ?? []).Select((label, b) => (label, b)))
                    {
                        Name(problems, roomAt, $"beds[{b}]", label, MaxBedLabel, labels);
                    }
                }
                var stationNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (station, s) in (ward.Stations ?? []).Select((station, s) => (station, s)))
                {
                    Name(problems, wardAt, $"stations[{s}]", station, MaxDeviceName, stationNames);
                }
            }
        }

        var usernames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (person, p) in Entries(problems, "staff", file.Staff))
        {
            var at = $"staff[{p}]";
            if (Name(problems, at, "username", person.Username, MaxUsername, usernames) && !UsernamePattern().IsMatch(person.Username!.Trim()))
            {
                problems.Add($"{at}.username: '{person.Username}' may hold only letters, digits and . _ @ -");
            }
            Name(problems, at, "name", person.Name, MaxDisplayName, unique: null);
            if (person.Pager is { } pager && (pager.Trim().Length is 0 or > MaxLineAddress || !PrintablePattern().IsMatch(pager.Trim())))
            {
                problems.Add($"{at}.pager: '{pager}' must be 1 to {MaxLineAddress} printable characters (the number the paging server knows).");
            }
            switch (person.Role)
            {
                case StaffUser.Nurse or StaffUser.Manager when string.IsNullOrWhiteSpace(person.Ward):
                    problems.Add($"{at}.ward: required for a {person.Role} (the ward's name).");
                    break;
                case StaffUser.Nurse or StaffUser.Manager or StaffUser.Admin:
                    break;
                default:
                    problems.Add($"{at}.role: '{person.Role}' is not one of {StaffUser.Nurse}, {StaffUser.Manager}, {StaffUser.Admin}.");
                    break;
            }
        }

        var teamNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (team, t) in Entries(problems, "teams", file.Teams))
        {
            var at = $"teams[{t}]";
            Name(problems, at, "name", team.Name, MaxTeamName, teamNames);
            if (team.Members is not { Count: > 0 })
            {
                problems.Add($"{at}.members: required (the usernames of its members, at least one).");
            }
            var members = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (member, m) in (team.Members ?? []).Select((member, m) => (member, m)))
            {
                Name(problems, at, $"members[{m}]", member, MaxUsername, members);
            }
            if (team.Kinds is not { Count: > 0 })
            {
                problems.Add($"{at}.kinds: required (the call kinds it answers, at least one, e.g. {CallKinds.CodeBlue}).");
            }
            var kinds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (kind, k) in (team.Kinds ?? []).Select((kind, k) => (kind, k)))
            {
                if (!CallKinds.IsKnown(kind))
                {
                    problems.Add($"{at}.kinds[{k}]: '{kind}' is not one of {string.Join(", ", CallKinds.All)}.");
                }
                else if (!kinds.Add(kind!))
                {
                    problems.Add($"{at}.kinds[{k}]: '{kind}' is used twice; it must be unique there.");
                }
            }
        }
        LineProblems(problems, file.Lines);
        return problems;
    }

    private static void LineProblems(List<string> problems, IReadOnlyList<LineEntry?>? lines)
    {
        var lineNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (line, l) in Entries(problems, "lines", lines))
        {
            var at = $"lines[{l}]";
            Name(problems, at, "name", line.Name, MaxDeviceName, lineNames);
            var addresses = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (entry, a) in Entries(problems, $"{at}.addresses", line.Addresses))
            {
                var entryAt = $"{at}.addresses[{a}]";
                if (Name(problems, entryAt, "address", entry.Address, MaxLineAddress, addresses) && !PrintablePattern().IsMatch(entry.Address!.Trim()))
                {
                    problems.Add($"{entryAt}.address: '{entry.Address}' may hold only printable characters.");
                }
                Name(problems, entryAt, "ward", entry.Ward, MaxWardName, unique: null);
                Name(problems, entryAt, "room", entry.Room, MaxRoomName, unique: null);
                Name(problems, entryAt, "bed", entry.Bed, MaxBedLabel, unique: null);
                BedsideKind(problems, $"{entryAt}.kind", entry.Kind);
            }
            foreach (var (text, t) in Entries(problems, $"{at}.texts", line.Texts))
            {
                var textAt = $"{at}.texts[{t}]";
                Name(problems, textAt, "contains", text.Contains, MaxLineText, unique: null);
                if (text.Cancel == true && text.Kind is not null)
                {
                    problems.Add($"{textAt}: either 'kind' or 'cancel', not both.");
                }
                else if (text.Cancel != true)
                {
                    BedsideKind(problems, $"{textAt}.kind", text.Kind);
                }
            }
        }
    }

    private static void BedsideKind(List<string> problems, string at, string? kind)
    {
        if (kind is null || !CallKinds.IsKnown(kind) || !CallKindRules.MayBeRaisedAtBedside(kind))
        {
            problems.Add($"{at}: '{kind}' is not one of {string.Join(", ", CallKinds.All.Where(CallKindRules.MayBeRaisedAtBedside))}.");
        }
    }

    /// <summary>Checks one name; false when it is missing (nothing more to check about it).</summary>
    private static bool Name(List<string> problems, string at, string field, string? value, int maxLength, HashSet<string>? unique)
    {
        var name = value?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            problems.Add($"{at}.{field}: required.");
            return false;
        }
        if (name.Length > maxLength)
        {
            problems.Add($"{at}.{field}: '{name}' is longer than {maxLength} characters.");
        }
        else if (unique is not null && !unique.Add(name))
        {
            problems.Add($"{at}.{field}: '{name}' is used twice; it must be unique there.");
        }
        return true;
    }

    /// <summary>The entries of a list with their index; an empty one (null) is a problem, not a crash.</summary>
    private static IEnumerable<(T Item, int Index)> Entries<T>(List<string> problems, string at, IReadOnlyList<T?>? items)
        where T : class
    {
        foreach (var (item, i) in (items ?? []).Select((item, i) => (item, i)))
        {
            if (item is null)
            {
                problems.Add($"{at}[{i}]: empty.");
                continue;
            }
            yield return (item, i);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._@-]+$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex("^[\\x20-\\x7E]+$")]
    private static partial Regex PrintablePattern();
}

/// <summary>How the import files are read: comments and trailing commas allowed, misspelt fields refused.</summary>
internal static class ImportJson
{
    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        // A misspelt field must not be skipped silently: "bed" for "beds" would import empty rooms.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static (T? File, string? Error) Parse<T>(string json, string kind)
        where T : class
    {
        try
        {
            return (JsonSerializer.Deserialize<T>(json, s_options) ?? throw new JsonException("The file is empty (null)."), null);
        }
        catch (JsonException e)
        {
            return (null, $"Not a {kind}: {e.Message}");
        }
    }
}
