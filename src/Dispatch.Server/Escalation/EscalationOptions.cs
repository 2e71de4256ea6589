using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Escalation;

/// <summary>Seconds from a call's creation, while unacknowledged, to each escalation level.</summary>
public sealed class EscalationOptions
{
    public const string Section = "Escalation";

    [Range(1, 3600)]
    public int Level1Seconds { get; set; } = 90;

    [Range(1, 3600)]
    public int Level2Seconds { get; set; } = 180;

    [Range(1, 3600)]
    public int Level3Seconds { get; set; } = 300;
}
