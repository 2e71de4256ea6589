using Dispatch.Contracts;

namespace Dispatch.Server.Clinical;

/// <summary>
/// What each call kind means on a ward: its priority band, who may raise it, and what clears it.
/// docs/clinical-rules.md is the index of these rules, from press to clear.
/// </summary>
public static class CallKindRules
{
    // Bands are 10 apart so that escalation (+1, +2, +5) raises a call within its band and an
    // escalated normal call never outranks a code blue.
    private static readonly Dictionary<string, int> s_basePriority = new(StringComparer.Ordinal)
    {
        [CallKinds.CodeBlue] = 60,
        [CallKinds.StaffEmergency] = 50,
        [CallKinds.StaffAssist] = 40,
        [CallKinds.Bath] = 30,
        [CallKinds.Normal] = 20,
        [CallKinds.Trouble] = 10,
    };

    public static int BasePriority(string kind) => s_basePriority[kind];

    /// <summary>How a call looks and sounds on a board; by kind, since escalation keeps a call within its band.</summary>
    public static string Band(string kind) => kind switch
    {
        CallKinds.CodeBlue => "code",
        CallKinds.StaffEmergency => "emergency",
        CallKinds.StaffAssist => "assist",
        CallKinds.Bath or CallKinds.Normal => "routine",
        _ => "trouble",
    };

    /// <summary>Code and emergency calls are cleared only by the bedside device, never by presence.</summary>
    public static bool IsClearedByPresence(string kind) => kind is not (CallKinds.CodeBlue or CallKinds.StaffEmergency);

    /// <summary>What a patient's tablet may raise; the other kinds come from staff at the bedside.</summary>
    public static bool MayBeRaisedByPatient(string kind) => kind is CallKinds.Normal or CallKinds.Bath;

    /// <summary>"trouble" (a silent device) is raised by the system's supervision only, never by a bed device or a patient.</summary>
    public static bool MayBeRaisedAtBedside(string kind) => kind is not CallKinds.Trouble;
}
