namespace Dispatch.Server.Supervision;

internal static class SupervisionQueries
{
    /// <summary>
    /// Wards with open calls and no station on any live node (heartbeat in the last 30 s), not
    /// reported within the repeat interval: in the steady state one statement per check.
    /// </summary>
    public const string UnwatchedWards = """
        SELECT c.ward_id AS WardId, w.name AS WardName, COUNT(*) AS OpenCalls
        FROM calls c
        JOIN wards w ON w.id = c.ward_id
        WHERE c.status IN ('open', 'accepted')
          AND NOT EXISTS (SELECT 1 FROM ward_alerts a WHERE a.ward_id = c.ward_id AND a.alerted_at > NOW(3) - INTERVAL @RepeatSeconds SECOND)
          AND NOT EXISTS (
            SELECT 1
            FROM node_heartbeats h,
                 JSON_TABLE(h.ward_stations, '$[*]' COLUMNS (ward_id INT PATH '$.w', stations INT PATH '$.n')) ws
            WHERE h.seen_at > NOW(3) - INTERVAL 30 SECOND AND ws.ward_id = c.ward_id AND ws.stations > 0)
        GROUP BY c.ward_id, w.name
        """;

    /// <summary>The first report of a ward: exactly one node's insert succeeds.</summary>
    public const string ClaimFirstAlert = "INSERT IGNORE INTO ward_alerts (ward_id, alerted_at) VALUES (@WardId, NOW(3))";

    /// <summary>A later report, once the repeat interval has passed: the row lock lets one node through.</summary>
    public const string ClaimRepeatAlert = """
        UPDATE ward_alerts SET alerted_at = NOW(3)
        WHERE ward_id = @WardId AND alerted_at < NOW(3) - INTERVAL @RepeatSeconds SECOND
        """;

    /// <summary>The department's on-duty managers and the on-duty administrators.</summary>
    public const string Recipients = """
        SELECT s.id
        FROM staff s
        LEFT JOIN wards sw ON sw.id = s.ward_id
        JOIN wards w ON w.id = @WardId
        WHERE s.on_duty = 1 AND (s.role = 'admin' OR (s.role = 'manager' AND sw.department = w.department))
        """;
}
