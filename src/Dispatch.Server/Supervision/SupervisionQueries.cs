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

    /// <summary>
    /// What the device supervision must act on, in one statement per check: bed devices silent
    /// past their bound with no trouble call yet, stations silent past theirs not reported yet, and
    /// reported stations seen again since. Devices that never reported are not installed yet.
    /// </summary>
    public const string DeviceFindings = """
        SELECT id AS DeviceId,
               CASE WHEN kind = 'bed' THEN 'bed_silent' WHEN trouble_reported_at IS NULL THEN CONCAT(kind, '_silent') ELSE CONCAT(kind, '_back') END AS Finding
        FROM devices
        WHERE last_heartbeat_at IS NOT NULL AND (
             (kind = 'bed' AND trouble_call_id IS NULL AND last_heartbeat_at < NOW(3) - INTERVAL @BedSilentSeconds SECOND)
          OR (kind = 'station' AND trouble_reported_at IS NULL AND last_heartbeat_at < NOW(3) - INTERVAL @StationSilentSeconds SECOND)
          OR (kind = 'line' AND trouble_reported_at IS NULL AND last_heartbeat_at < NOW(3) - INTERVAL @LineSilentSeconds SECOND)
          OR (kind IN ('station', 'line') AND trouble_reported_at < last_heartbeat_at))
        """;

    /// <summary>The line, locked, if it is still silent past the bound and not reported: one node reports it.</summary>
    public const string LockSilentLine = """
        SELECT id AS DeviceId, name AS Name FROM devices
        WHERE id = @DeviceId AND kind = 'line' AND trouble_reported_at IS NULL
          AND last_heartbeat_at < NOW(3) - INTERVAL @SilentSeconds SECOND
        FOR UPDATE
        """;

    /// <summary>The line, locked, if it was reported silent and has been heard since.</summary>
    public const string LockReturnedLine = """
        SELECT id AS DeviceId, name AS Name FROM devices
        WHERE id = @DeviceId AND kind = 'line' AND trouble_reported_at < last_heartbeat_at
        FOR UPDATE
        """;

    public const string SilentLines = "SELECT COUNT(*) FROM devices WHERE kind = 'line' AND trouble_reported_at IS NOT NULL";

    private const string StationColumns = "id AS DeviceId, ward_id AS WardId, name AS Name, last_heartbeat_at AS LastSeenAt, sound_off_since AS SoundOffSince";

    public const string StationById = $"SELECT {StationColumns} FROM devices WHERE id = @DeviceId";

    public const string FindStationByKey = $"SELECT {StationColumns} FROM devices WHERE key_hash = @KeyHash AND kind = 'station'";

    /// <summary>These stations are connected to a node (its heartbeat) or have just identified themselves.</summary>
    public const string StationsSeen = "UPDATE devices SET last_heartbeat_at = NOW(3) WHERE kind = 'station' AND id IN @DeviceIds";

    /// <summary>The station, locked, if it is still silent past the bound and not reported: one node reports it.</summary>
    public const string LockSilentStation = $"""
        SELECT {StationColumns} FROM devices
        WHERE id = @DeviceId AND kind = 'station' AND trouble_reported_at IS NULL
          AND last_heartbeat_at < NOW(3) - INTERVAL @SilentSeconds SECOND
        FOR UPDATE
        """;

    /// <summary>The station, locked, if it was reported silent and has been seen since.</summary>
    public const string LockReturnedStation = $"""
        SELECT {StationColumns} FROM devices
        WHERE id = @DeviceId AND kind = 'station' AND trouble_reported_at < last_heartbeat_at
        FOR UPDATE
        """;

    /// <summary>The station, locked, if what it reports about its sound is news: muted and not yet known so, or known so and no longer.</summary>
    public const string LockStationSoundChange = $"""
        SELECT {StationColumns} FROM devices
        WHERE id = @DeviceId AND kind = 'station' AND (sound_off_since IS NULL) <> @CanPlay
        FOR UPDATE
        """;

    public const string MarkStationMuted = "UPDATE devices SET sound_off_since = NOW(3) WHERE id = @DeviceId";

    public const string ClearStationMuted = "UPDATE devices SET sound_off_since = NULL WHERE id = @DeviceId";

    public const string MutedStationsOfWard = $"""
        SELECT {StationColumns} FROM devices
        WHERE ward_id = @WardId AND kind = 'station' AND sound_off_since IS NOT NULL
        ORDER BY name
        """;

    /// <summary>A silent station's or line's report made, and (below) ended: one report per silence.</summary>
    public const string MarkTroubleReported = "UPDATE devices SET trouble_reported_at = NOW(3) WHERE id = @DeviceId";

    public const string ClearTroubleReported = "UPDATE devices SET trouble_reported_at = NULL WHERE id = @DeviceId";

    /// <summary>A ward's stations reported silent and not back yet (its snapshot).</summary>
    public const string SilentStationsOfWard = $"""
        SELECT {StationColumns} FROM devices
        WHERE kind = 'station' AND ward_id = @WardId AND trouble_reported_at IS NOT NULL
        ORDER BY name
        """;
}
