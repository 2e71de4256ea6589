using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Kpis;

/// <summary>
/// Each KPI's target and breach level. Defaults follow the escalation ladder: a call not
/// acknowledged by 90 s escalates, so a p90 past 90 s is a breach.
/// </summary>
public sealed class KpiOptions
{
    public const string Section = "Kpis";

    [Range(1, 3600)] public int AcknowledgementP90TargetSeconds { get; set; } = 60;
    [Range(1, 3600)] public int AcknowledgementP90BreachSeconds { get; set; } = 90;
    [Range(1, 3600)] public int ArrivalP90TargetSeconds { get; set; } = 180;
    [Range(1, 3600)] public int ArrivalP90BreachSeconds { get; set; } = 300;
    /// <summary>From a call's commit to the first station's display receipt.</summary>
    [Range(0.01, 3600)] public double DisplayP90TargetSeconds { get; set; } = 1;
    [Range(0.01, 3600)] public double DisplayP90BreachSeconds { get; set; } = 5;
    /// <summary>Hub connections dropped by an error, as a share of those opened (all wards, whole hours).</summary>
    [Range(0, 1)] public double DropRateTarget { get; set; } = 0.01;
    [Range(0, 1)] public double DropRateBreach { get; set; } = 0.05;
    [Range(0, 1)] public double EscalationRateTarget { get; set; } = 0.05;
    [Range(0, 1)] public double EscalationRateBreach { get; set; } = 0.15;
    [Range(0, 10)] public double FairnessDeviationTarget { get; set; } = 0.2;
    [Range(0, 10)] public double FairnessDeviationBreach { get; set; } = 0.4;
    [Range(0, 1)] public double ActiveWithin5MinutesTarget { get; set; } = 0.9;
    [Range(0, 1)] public double ActiveWithin5MinutesBreach { get; set; } = 0.75;
    [Range(0, 1)] public double ActiveWithin10MinutesTarget { get; set; } = 0.98;
    [Range(0, 1)] public double ActiveWithin10MinutesBreach { get; set; } = 0.9;
}
