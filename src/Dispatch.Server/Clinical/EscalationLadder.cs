namespace Dispatch.Server.Clinical;

/// <summary>
/// Who a call climbs to when nobody acknowledges it, and how much more urgent it becomes:
/// level 1 a nurse of the next floor (+1), level 2 the department's manager (+2), level 3 system
/// administration / the house supervisor (+5). The bump is over the kind's base priority.
/// </summary>
public static class EscalationLadder
{
    public const int TopLevel = 3;

    public static int PriorityBump(int level) => level switch
    {
        1 => 1,
        2 => 2,
        3 => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Escalation levels are 1 to 3."),
    };

    public static string AuditAction(int level) => $"escalation_l{level}";
}
