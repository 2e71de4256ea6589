using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Dispatch.Server.Realtime;
using Dispatch.Server.Supervision;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Node;

/// <summary>Writes this node's heartbeat row every few seconds (see 005_node_heartbeats).</summary>
public sealed partial class NodeHeartbeat(
    MySqlDataSource dataSource,
    ConnectionRegistry connections,
    NodeStatus node,
    MemoryGauge memory,
    IOptions<RealtimeOptions> realtime,
    IOptions<NodeHeartbeatOptions> options,
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
                    await conn.ExecuteAsync(new CommandDefinition(NodeQueries.ForgetOldNodes, cancellationToken: stoppingToken));
                    forgotten = true;
                }
                await conn.ExecuteAsync(new CommandDefinition(NodeQueries.Heartbeat, new
                {
                    Name = realtime.Value.NodeName,
                    State = node.State.ToString().ToLowerInvariant(),
                    Connections = (int)connections.Current,
                    MemoryMb = memory.WorkingSetMb(),
                    MemoryPct = memory.UsagePercent(),
                    StartedAt = s_startedAt,
                    WardStations = WardStations(),
                }, cancellationToken: stoppingToken));
                await StationSupervisor.StampAsync(conn, connections.StationIds, stoppingToken);
                var (opened, dropped) = connections.TakeCounts();
                if (opened + dropped > 0)
                {
                    await conn.ExecuteAsync(new CommandDefinition(NodeQueries.AddConnectionCounts,
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
