using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Dispatch.Server.Realtime;
using Dispatch.Server.Sessions;
using Dispatch.Server.Supervision;
using Dispatch.Server.Node;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Ops;

public sealed class OpsOptions
{
    public const string Section = "Ops";

    /// <summary>How often this node writes its heartbeat row (connections, memory, state).</summary>
    [Range(1, 60)]
    public int HeartbeatSeconds { get; set; } = 5;
}

public sealed record NodeRow(string Name, string State, int Connections, double MemoryMb, double MemoryPct, long UptimeS, long SeenSecondsAgo);

public sealed record WardRow(int WardId, string Name, long OpenCalls, long Unacknowledged, long OldestSeconds, long LastSeq, long? RelayedSeq, long NursesOnDuty);

public sealed record WardSummary(int WardId, string Name, long OpenCalls, long Unacknowledged, long OldestSeconds, long? RelayLag, long NursesOnDuty);

public sealed record EscalationCount(long Level, long Count);

public sealed record TroubleRow(long CallId, int WardId, string Room, string Bed, long SilentSeconds);

public sealed record SilentStationRow(int DeviceId, int WardId, string Name, long SilentSeconds);

/// <summary>
/// What the ops page shows: every live node, every ward's load, the last hour's escalations and the
/// maintenance view (trouble calls of silent bed devices, silent stations).
/// </summary>
public sealed record OpsSummary(
    string Mode, IReadOnlyList<NodeRow> Nodes, IReadOnlyList<WardSummary> Wards, IReadOnlyList<EscalationCount> EscalationsLastHour,
    IReadOnlyList<TroubleRow> Troubles, IReadOnlyList<SilentStationRow> SilentStations, DateTimeOffset At);

public static class OpsApi
{
    public const string Policy = "ops";

    public static IHostApplicationBuilder AddOps(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OpsOptions>().BindConfiguration(OpsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<NodeHeartbeat>();
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.RequireRole(StaffUser.Admin, StaffUser.Manager));
        return builder;
    }

    public static IEndpointRouteBuilder MapOps(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/ops/summary", SummaryAsync).WithTags("Ops").RequireAuthorization(Policy);
        return app;
    }

    private static async Task<Ok<OpsSummary>> SummaryAsync(
        MySqlDataSource dataSource, IOptions<RealtimeOptions> realtime, TimeProvider time, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var nodes = await conn.QueryAsync<NodeRow>(new CommandDefinition(OpsQueries.LiveNodes, cancellationToken: ct));
        var wards = await conn.QueryAsync<WardRow>(new CommandDefinition(OpsQueries.Wards, cancellationToken: ct));
        var escalations = await conn.QueryAsync<EscalationCount>(new CommandDefinition(OpsQueries.EscalationsLastHour, cancellationToken: ct));
        var troubles = await conn.QueryAsync<TroubleRow>(new CommandDefinition(OpsQueries.OpenTroubles, cancellationToken: ct));
        var silentStations = await conn.QueryAsync<SilentStationRow>(new CommandDefinition(OpsQueries.SilentStations, cancellationToken: ct));
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
            time.GetUtcNow()));
    }
}

/// <summary>Writes this node's heartbeat row every few seconds (see 005_node_heartbeats).</summary>
public sealed partial class NodeHeartbeat(
    MySqlDataSource dataSource,
    ConnectionRegistry connections,
    NodeStatus node,
    MemoryGauge memory,
    IOptions<RealtimeOptions> realtime,
    IOptions<OpsOptions> options,
    TimeProvider time,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private static readonly DateTime s_startedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.HeartbeatSeconds), time);
        var forgotten = false;
        do
        {
            try
            {
                await using var conn = await dataSource.OpenConnectionAsync(stoppingToken);
                if (!forgotten)
                {
                    await conn.ExecuteAsync(new CommandDefinition(OpsQueries.ForgetOldNodes, cancellationToken: stoppingToken));
                    forgotten = true;
                }
                await conn.ExecuteAsync(new CommandDefinition(OpsQueries.Heartbeat, new
                {
                    Name = realtime.Value.NodeName,
                    State = node.State.ToString().ToLowerInvariant(),
                    Connections = (int)connections.Current,
                    MemoryMb = Math.Round(memory.WorkingSetBytes() / (1024.0 * 1024.0), 1),
                    MemoryPct = memory.UsagePercent(),
                    StartedAt = s_startedAt,
                    WardStations = WardStations(),
                }, cancellationToken: stoppingToken));
                await StationSupervisor.StampAsync(conn, connections.StationIds, stoppingToken);
                var (opened, dropped) = connections.TakeCounts();
                if (opened + dropped > 0)
                {
                    await conn.ExecuteAsync(new CommandDefinition(OpsQueries.AddConnectionCounts,
                        new { Name = realtime.Value.NodeName, Opened = opened, Dropped = dropped }, cancellationToken: stoppingToken));
                }
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                Log.Failed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>This node's stations per ward, as [{"w": wardId, "n": stations}] (read by the ward supervision).</summary>
    private string WardStations() => JsonSerializer.Serialize(connections.Snapshot
        .SelectMany(c => c.Wards)
        .GroupBy(ward => ward)
        .Select(g => new Dictionary<string, int> { ["w"] = g.Key, ["n"] = g.Count() }));

    private static partial class Log
    {
        [LoggerMessage(1700, LogLevel.Warning, "Could not write this node's heartbeat; retrying at the next one")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
