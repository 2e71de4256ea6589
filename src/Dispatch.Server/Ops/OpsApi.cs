using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Realtime;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Ops;

public sealed record WardRow(int WardId, string Name, long OpenCalls, long Unacknowledged, long OldestSeconds, long LastSeq, long? RelayedSeq, long NursesOnDuty);

public static class OpsApi
{
    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ops/summary", SummaryAsync).WithTags("Ops").RequireAuthorization(StaffPolicies.Ops);
        return app;
    }

    private static async Task<Ok<OpsSummary>> SummaryAsync(
        ReplicaReads replica, DispatchMetrics metrics, IOptions<RealtimeOptions> realtime, TimeProvider time, CancellationToken ct)
    {
        // Refreshed every 5 s anyway: read on the replica while it is healthy.
        var (connection, source) = await replica.OpenAsync(ct);
        await using var conn = connection;
        metrics.ReplicaRead("ops", source);
        var nodes = await conn.QueryAsync<NodeRow>(new CommandDefinition(OpsQueries.LiveNodes, cancellationToken: ct));
        var wards = await conn.QueryAsync<WardRow>(new CommandDefinition(OpsQueries.Wards, cancellationToken: ct));
        var escalations = await conn.QueryAsync<EscalationCount>(new CommandDefinition(OpsQueries.EscalationsLastHour, cancellationToken: ct));
        var troubles = await conn.QueryAsync<TroubleRow>(new CommandDefinition(OpsQueries.OpenTroubles, cancellationToken: ct));
        var silentStations = await conn.QueryAsync<SilentStationRow>(new CommandDefinition(OpsQueries.SilentStations, cancellationToken: ct));
        var mutedStations = await conn.QueryAsync<MutedStationRow>(new CommandDefinition(OpsQueries.MutedStations, cancellationToken: ct));
        var silentLines = await conn.QueryAsync<SilentLineRow>(new CommandDefinition(OpsQueries.SilentLines, cancellationToken: ct));
        // The bridge's cursor means something only in a cluster; a single node relays in process.
        var bridged = realtime.Value.Mode == RealtimeMode.Bridge;
        return TypedResults.Ok(new OpsSummary(
            realtime.Value.Mode.ToString(),
            [.. nodes],
            [.. wards.Select(w => new WardSummary(w.WardId, w.Name, w.OpenCalls, w.Unacknowledged, w.OldestSeconds,
                bridged && w.RelayedSeq is { } relayed ? Math.Max(0, w.LastSeq - relayed) : null, w.NursesOnDuty))],
            [.. escalations],
            [.. troubles],
            [.. silentStations],
            [.. mutedStations],
            time.GetUtcNow(),
            [.. silentLines]));
    }
}
