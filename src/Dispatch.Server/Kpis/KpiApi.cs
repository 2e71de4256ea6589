using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Kpis;

public static class KpiApi
{
    private static readonly TimeSpan s_longestWindow = TimeSpan.FromDays(31);

    public static IHostApplicationBuilder AddKpis(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<KpiOptions>(KpiOptions.Section);
        return builder;
    }

    public static IEndpointRouteBuilder MapKpis(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/kpis", ReportAsync).WithTags("Kpis").RequireAuthorization(StaffPolicies.Ops);
        return app;
    }

    private sealed record CallRow(int WardId, double? AcknowledgedAfter, double? ArrivedAfter, int Escalated, int? FirstAssignee, double? DisplayedAfter);

    private sealed record ConnectionRow(long Opened, long Dropped);

    private sealed record ShiftRow(int StaffId, DateTime StartsAt, long? SignedInAfter);

    /// <summary>GET /api/kpis?ward=&amp;from=&amp;to= (ISO 8601; the last 24 hours by default, at most 31 days).</summary>
    private static async Task<Ok<KpiReport>> ReportAsync(
        int? ward, DateTimeOffset? from, DateTimeOffset? to, ReplicaReads replica, DispatchMetrics metrics, IOptions<KpiOptions> options, TimeProvider time,
        CancellationToken ct)
    {
        var until = to ?? time.GetUtcNow();
        var since = from ?? until.AddDays(-1);
        if (since >= until || until - since > s_longestWindow)
        {
            throw RefusedException.BadRequest("'from' must be before 'to', at most 31 days apart.");
        }
        var window = new { WardId = ward, From = since.UtcDateTime, To = until.UtcDateTime };
        // A day of figures may lag by a second: read on the replica while it is healthy.
        var (connection, source) = await replica.OpenAsync(ct);
        await using var conn = connection;
        metrics.ReplicaRead("kpis", source);
        var calls = (await conn.QueryAsync<CallRow>(new CommandDefinition(KpiQueries.Calls, window, cancellationToken: ct))).ToList();
        var shifts = (await conn.QueryAsync<ShiftRow>(new CommandDefinition(KpiQueries.ShiftStarts, window, cancellationToken: ct))).ToList();
        var connections = await conn.QuerySingleAsync<ConnectionRow>(new CommandDefinition(KpiQueries.ConnectionCounts, window, cancellationToken: ct));
        var o = options.Value;

        return TypedResults.Ok(new KpiReport(ward, since, until, calls.Count,
        [
            Durations("acknowledgement_time", [.. calls.Where(c => c.AcknowledgedAfter is not null).Select(c => c.AcknowledgedAfter!.Value)],
                o.AcknowledgementP90TargetSeconds, o.AcknowledgementP90BreachSeconds),
            Durations("arrival_time", [.. calls.Where(c => c.ArrivedAfter is not null).Select(c => c.ArrivedAfter!.Value)],
                o.ArrivalP90TargetSeconds, o.ArrivalP90BreachSeconds),
            Share("escalation_rate", calls.Count, calls.Count(c => c.Escalated != 0), o.EscalationRateTarget, o.EscalationRateBreach, lowerIsBetter: true),
            Fairness(calls, o),
            Share("nurses_active_within_5_min", shifts.Count, shifts.Count(s => s.SignedInAfter <= 5 * 60),
                o.ActiveWithin5MinutesTarget, o.ActiveWithin5MinutesBreach, lowerIsBetter: false),
            Share("nurses_active_within_10_min", shifts.Count, shifts.Count(s => s.SignedInAfter <= 10 * 60),
                o.ActiveWithin10MinutesTarget, o.ActiveWithin10MinutesBreach, lowerIsBetter: false),
            Durations("event_delivery_latency", [.. calls.Where(c => c.DisplayedAfter is not null).Select(c => Math.Max(0, c.DisplayedAfter!.Value))],
                o.DisplayP90TargetSeconds, o.DisplayP90BreachSeconds),
            Share("connection_drop_rate", (int)Math.Min(int.MaxValue, connections.Opened), (int)Math.Min(int.MaxValue, connections.Dropped),
                o.DropRateTarget, o.DropRateBreach, lowerIsBetter: true),
        ]));
    }

    /// <summary>p50, p90 (nearest rank) and mean in seconds; judged on p90.</summary>
    private static Kpi Durations(string name, List<double> seconds, double target, double breach)
    {
        if (seconds.Count == 0)
        {
            return new Kpi(name, "s", 0, null, null, null, null, target, breach, "no_data");
        }
        seconds.Sort();
        var p90 = Percentile(seconds, 0.9);
        return new Kpi(name, "s", seconds.Count, Round(Percentile(seconds, 0.5)), Round(p90), Round(seconds.Average()), null, target, breach,
            Judge(p90, target, breach, lowerIsBetter: true));
    }

    private static Kpi Share(string name, int total, int matching, double target, double breach, bool lowerIsBetter)
    {
        if (total == 0)
        {
            return new Kpi(name, "share", 0, null, null, null, null, target, breach, "no_data");
        }
        var share = (double)matching / total;
        return new Kpi(name, "share", total, null, null, null, Round(share), target, breach, Judge(share, target, breach, lowerIsBetter));
    }

    /// <summary>
    /// Per ward, the coefficient of variation (standard deviation over mean) of first assignments
    /// per nurse among the nurses who were assigned any; the worst ward's figure. 0 is perfectly even.
    /// </summary>
    private static Kpi Fairness(List<CallRow> calls, KpiOptions o)
    {
        var perWard = calls.Where(c => c.FirstAssignee is not null)
            .GroupBy(c => c.WardId)
            .Select(ward => ward.GroupBy(c => c.FirstAssignee).Select(nurse => (double)nurse.Count()).ToList())
            .Where(counts => counts.Count > 0)
            .Select(counts =>
            {
                var mean = counts.Average();
                return Math.Sqrt(counts.Sum(n => (n - mean) * (n - mean)) / counts.Count) / mean;
            })
            .ToList();
        var assigned = calls.Count(c => c.FirstAssignee is not null);
        return perWard.Count == 0
            ? new Kpi("fairness_deviation", "ratio", 0, null, null, null, null, o.FairnessDeviationTarget, o.FairnessDeviationBreach, "no_data")
            : new Kpi("fairness_deviation", "ratio", assigned, null, null, null, Round(perWard.Max()), o.FairnessDeviationTarget, o.FairnessDeviationBreach,
                Judge(perWard.Max(), o.FairnessDeviationTarget, o.FairnessDeviationBreach, lowerIsBetter: true));
    }

    private static string Judge(double value, double target, double breach, bool lowerIsBetter) =>
        lowerIsBetter
            ? value <= target ? "ok" : value <= breach ? "watch" : "breach"
            : value >= target ? "ok" : value >= breach ? "watch" : "breach";

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static double Round(double value) => Math.Round(value, 3);
}
