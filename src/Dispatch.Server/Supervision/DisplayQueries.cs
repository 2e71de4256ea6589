namespace Dispatch.Server.Supervision;

internal static class DisplayQueries
{
    /// <summary>Open calls older than the alarm time that no station has displayed and that are not alarmed yet.</summary>
    public const string Undisplayed = """
        SELECT c.id AS CallId, c.ward_id AS WardId, w.name AS WardName, c.kind AS Kind
        FROM calls c
        JOIN wards w ON w.id = c.ward_id
        WHERE c.status = 'open' AND c.display_alarm_at IS NULL
          AND c.created_at < NOW(3) - INTERVAL @AlarmSeconds SECOND
          AND c.created_at > NOW(3) - INTERVAL 1 HOUR
          AND NOT EXISTS (SELECT 1 FROM call_displays d WHERE d.call_id = c.id)
        LIMIT 100
        """;

    /// <summary>Exactly one node alarms a call: the one whose update finds it not yet alarmed.</summary>
    public const string ClaimAlarm = """
        UPDATE calls SET display_alarm_at = NOW(3) WHERE id = @CallId AND display_alarm_at IS NULL
        """;
}
