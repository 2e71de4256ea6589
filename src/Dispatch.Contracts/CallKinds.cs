namespace Dispatch.Contracts;

/// <summary>Call kinds, most urgent first, by their wire names.</summary>
public static class CallKinds
{
    public const string CodeBlue = "code_blue";
    public const string StaffEmergency = "staff_emergency";
    public const string StaffAssist = "staff_assist";
    public const string Bath = "bath";
    public const string Normal = "normal";
    public const string Trouble = "trouble";

    /// <summary>Every kind, most urgent first. What each means for the ward is in docs/clinical-rules.md.</summary>
    public static IReadOnlyList<string> All { get; } = [CodeBlue, StaffEmergency, StaffAssist, Bath, Normal, Trouble];

    public static bool IsKnown(string? kind) => kind is not null && All.Contains(kind);
}
