namespace Dispatch.Server.Kpis;

internal static class KpiQueries
{
    /// <summary>The calls raised in the window (of one ward, or all when @WardId is NULL), with their times in seconds.</summary>
    public const string Calls = """
        SELECT ward_id AS WardId,
               TIMESTAMPDIFF(MICROSECOND, created_at, accepted_at) / 1e6 AS AcknowledgedAfter,
               TIMESTAMPDIFF(MICROSECOND, created_at, first_presence_at) / 1e6 AS ArrivedAfter,
               escalation_level > 0 AS Escalated,
               first_assigned_staff_id AS FirstAssignee,
               (SELECT TIMESTAMPDIFF(MICROSECOND, calls.created_at, MIN(d.displayed_at)) / 1e6 FROM call_displays d WHERE d.call_id = calls.id) AS DisplayedAfter
        FROM calls
        WHERE created_at >= @From AND created_at < @To AND (@WardId IS NULL OR ward_id = @WardId)
        """;

    /// <summary>Hub connections opened and dropped in the hours of the window (all wards: stations are not counted per ward).</summary>
    public const string ConnectionCounts = """
        SELECT CAST(COALESCE(SUM(opened), 0) AS SIGNED) AS Opened, CAST(COALESCE(SUM(dropped), 0) AS SIGNED) AS Dropped
        FROM connection_counts
        WHERE hour >= DATE_FORMAT(@From, '%Y-%m-%d %H:00:00') AND hour < @To
        """;

    /// <summary>
    /// Shifts starting in the window (a nurse's bed assignments that start together are one shift),
    /// and when the nurse first signed in from an hour before it.
    /// </summary>
    public const string ShiftStarts = """
        SELECT a.staff_id AS StaffId, a.starts_at AS StartsAt,
               TIMESTAMPDIFF(SECOND, a.starts_at,
                 (SELECT MIN(s.created_at) FROM sessions s
                  WHERE s.staff_id = a.staff_id AND s.created_at >= a.starts_at - INTERVAL 1 HOUR)) AS SignedInAfter
        FROM (SELECT DISTINCT ba.staff_id, ba.starts_at
              FROM bed_assignments ba
              JOIN beds b ON b.id = ba.bed_id
              JOIN rooms r ON r.id = b.room_id
              WHERE ba.starts_at >= @From AND ba.starts_at < @To AND (@WardId IS NULL OR r.ward_id = @WardId)) a
        """;
}
