using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Audit;

/// <summary>How long `Dispatch.Server purge` keeps events, display receipts and audit rows.</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>The KPIs and the audit API look back up to 31 days, so no shorter retention is allowed.</summary>
    public const int ShortestDays = 31;

    [Range(ShortestDays, 36_500)]
    public int Days { get; set; } = 365;
}
