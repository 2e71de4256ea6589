namespace Dispatch.Server.Node;

internal static class NodeQueries
{
    public const string Heartbeat = """
        INSERT INTO node_heartbeats (node_name, state, connections, memory_mb, memory_pct, started_at, ward_stations, seen_at)
        VALUES (@Name, @State, @Connections, @MemoryMb, @MemoryPct, @StartedAt, @WardStations, NOW(3))
        ON DUPLICATE KEY UPDATE state = VALUES(state), connections = VALUES(connections), memory_mb = VALUES(memory_mb),
          memory_pct = VALUES(memory_pct), started_at = VALUES(started_at), ward_stations = VALUES(ward_stations), seen_at = NOW(3)
        """;

    public const string AddConnectionCounts = """
        INSERT INTO connection_counts (node_name, hour, opened, dropped)
        VALUES (@Name, DATE_FORMAT(NOW(), '%Y-%m-%d %H:00:00'), @Opened, @Dropped)
        ON DUPLICATE KEY UPDATE opened = opened + VALUES(opened), dropped = dropped + VALUES(dropped)
        """;

    /// <summary>Nodes that are gone (names of single nodes change with each process) are forgotten after a day.</summary>
    public const string ForgetOldNodes = "DELETE FROM node_heartbeats WHERE seen_at < NOW(3) - INTERVAL 1 DAY";
}
