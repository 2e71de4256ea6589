namespace Dispatch.Server.Ops;

internal static class OpsQueries
{
    public const string LiveNodes = """
        SELECT node_name AS Name, state AS State, connections AS Connections, memory_mb AS MemoryMb, memory_pct AS MemoryPct,
               TIMESTAMPDIFF(SECOND, started_at, NOW(3)) AS UptimeS, TIMESTAMPDIFF(SECOND, seen_at, NOW(3)) AS SeenSecondsAgo
        FROM node_heartbeats
        WHERE seen_at > NOW(3) - INTERVAL 30 SECOND
        ORDER BY node_name
        """;

    /// <summary>
    /// Per ward: open calls, the ones nobody acknowledged, the oldest one's age, the outbox against
    /// the bridge's cursor, and the nurses on duty (none: calls go unassigned until they escalate).
    /// </summary>
    public const string Wards = """
        SELECT w.id AS WardId, w.name AS Name,
               COUNT(c.id) AS OpenCalls,
               CAST(COALESCE(SUM(c.status = 'open'), 0) AS SIGNED) AS Unacknowledged,
               COALESCE(TIMESTAMPDIFF(SECOND, MIN(c.created_at), NOW(3)), 0) AS OldestSeconds,
               COALESCE(MAX(s.last_seq), 0) AS LastSeq,
               MAX(r.last_seq) AS RelayedSeq,
               (SELECT COUNT(*) FROM staff n WHERE n.ward_id = w.id AND n.role = 'nurse' AND n.on_duty = 1) AS NursesOnDuty
        FROM wards w
        LEFT JOIN calls c ON c.ward_id = w.id AND c.status IN ('open', 'accepted')
        LEFT JOIN ward_sequences s ON s.ward_id = w.id
        LEFT JOIN relay_cursors r ON r.ward_id = w.id
        GROUP BY w.id, w.name
        ORDER BY w.id
        """;

    /// <summary>The maintenance view: silent bed devices with an open trouble call, longest silent first.</summary>
    public const string OpenTroubles = """
        SELECT c.id AS CallId, c.ward_id AS WardId, r.name AS Room, b.label AS Bed,
               TIMESTAMPDIFF(SECOND, d.last_heartbeat_at, NOW(3)) AS SilentSeconds
        FROM calls c
        JOIN devices d ON d.trouble_call_id = c.id
        JOIN beds b ON b.id = c.bed_id
        JOIN rooms r ON r.id = b.room_id
        WHERE c.kind = 'trouble' AND c.status IN ('open', 'accepted')
        ORDER BY d.last_heartbeat_at
        LIMIT 200
        """;

    /// <summary>The maintenance view: stations reported silent and not back, longest silent first.</summary>
    public const string SilentStations = """
        SELECT id AS DeviceId, ward_id AS WardId, name AS Name, TIMESTAMPDIFF(SECOND, last_heartbeat_at, NOW(3)) AS SilentSeconds
        FROM devices
        WHERE kind = 'station' AND trouble_reported_at IS NOT NULL
        ORDER BY last_heartbeat_at
        LIMIT 200
        """;

    /// <summary>The maintenance view: lines of the primary nurse-call system reported silent and not heard since.</summary>
    public const string SilentLines = """
        SELECT id AS DeviceId, name AS Name, TIMESTAMPDIFF(SECOND, last_heartbeat_at, NOW(3)) AS SilentSeconds
        FROM devices
        WHERE kind = 'line' AND trouble_reported_at IS NOT NULL
        ORDER BY last_heartbeat_at
        """;

    /// <summary>Station screens that reported they cannot play sound, longest first.</summary>
    public const string MutedStations = """
        SELECT id AS DeviceId, ward_id AS WardId, name AS Name, TIMESTAMPDIFF(SECOND, sound_off_since, NOW(3)) AS MutedSeconds
        FROM devices
        WHERE kind = 'station' AND sound_off_since IS NOT NULL
        ORDER BY sound_off_since
        LIMIT 200
        """;

    public const string EscalationsLastHour = """
        SELECT CAST(SUBSTRING(action, 13) AS SIGNED) AS Level, COUNT(*) AS Count
        FROM audit_log
        WHERE at > NOW(3) - INTERVAL 1 HOUR AND action IN ('escalation_l1', 'escalation_l2', 'escalation_l3')
        GROUP BY action
        ORDER BY action
        """;
}
