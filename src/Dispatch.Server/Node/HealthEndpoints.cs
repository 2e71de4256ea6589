using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using MySqlConnector;

namespace Dispatch.Server.Node;

/// <summary>The probes: /healthz for load balancers and supervisors, /ws-health for ops.</summary>
internal static class HealthEndpoints
{
    private static readonly DateTimeOffset s_startedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    // The documented shapes ({status, db_ok, memory_pct, ts}) are snake_case, as probes expect.
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>200 "ok"; 503 "unavailable" without the database, "draining" before a restart, "stopping" after SIGTERM.</summary>
    public static async Task<JsonHttpResult<HealthStatus>> HealthzAsync(
        MySqlDataSource dataSource, NodeStatus node, MemoryGauge memory, TimeProvider time, CancellationToken ct)
    {
        var dbOk = await PingAsync(dataSource, ct);
        var status = node.State switch
        {
            NodeState.Draining => "draining",
            NodeState.Stopping => "stopping",
            _ => dbOk ? "ok" : "unavailable",
        };
        return TypedResults.Json(new HealthStatus(status, dbOk, memory.UsagePercent(), time.GetUtcNow()), s_json,
            statusCode: status == "ok" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    public static JsonHttpResult<WsHealth> WsHealthReport(ConnectionRegistry connections, IRelayBacklog relay, MemoryGauge memory, TimeProvider time) =>
        TypedResults.Json(new WsHealth(
            connections.Current,
            relay.PendingEvents,
            memory.WorkingSetMb(),
            (long)(time.GetUtcNow() - s_startedAt).TotalSeconds,
            GC.GetTotalPauseDuration().TotalMilliseconds), s_json);

    private static async Task<bool> PingAsync(MySqlDataSource dataSource, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var conn = await dataSource.OpenConnectionAsync(timeout.Token);
            return await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: timeout.Token)) == 1;
        }
        catch (Exception e) when (e is MySqlException or OperationCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
