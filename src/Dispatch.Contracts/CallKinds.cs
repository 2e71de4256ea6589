namespace Dispatch.Contracts;

/// <summary>Call kinds, most urgent first, with their wire names and base priorities.</summary>
public static class CallKinds
{
    public const string CodeBlue = "code_blue";
    public const string StaffEmergency = "staff_emergency";
    public const string StaffAssist = "staff_assist";
    public const string Bath = "bath";
    public const string Normal = "normal";
    public const string Trouble = "trouble";

    // Bands are 10 apart so that escalation (+1, +2, +5) raises a call within its band and an
    // escalated normal call never outranks a code blue.
    private static readonly Dictionary<string, int> s_basePriority = new(StringComparer.Ordinal)
    {
        [CodeBlue] = 60,
        [StaffEmergency] = 50,
        [StaffAssist] = 40,
        [Bath] = 30,
        [Normal] = 20,
        [Trouble] = 10,
    };

    public static IReadOnlyCollection<string> All => s_basePriority.Keys;

    public static bool IsKnown(string? kind) => kind is not null && s_basePriority.ContainsKey(kind);

    public static int BasePriority(string kind) => s_basePriority[kind];

    /// <summary>Code and emergency calls are cleared only by the bedside device, never by presence.</summary>
    public static bool IsClearedByPresence(string kind) => kind is not (CodeBlue or StaffEmergency);

    /// <summary>What a patient's tablet may raise; the other kinds come from staff at the bedside.</summary>
    public static bool MayBeRaisedByPatient(string kind) => kind is Normal or Bath;
}
