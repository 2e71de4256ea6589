namespace Dispatch.Server.Audit;

internal static class AuditQueries
{
    /// <summary>An audit row with its actor's name: a staff member's username, a device's name.</summary>
    private const string Entry = """
        SELECT a.id AS Id, a.at AS At, a.action AS Action, a.actor_type AS ActorType, a.actor_id AS ActorId,
               COALESCE(s.username, d.name) AS Actor, a.call_id AS CallId, a.detail AS Detail, a.address AS Address
        FROM audit_log a
        LEFT JOIN staff s ON a.actor_type = 'staff' AND s.id = a.actor_id
        LEFT JOIN devices d ON a.actor_type = 'device' AND d.id = a.actor_id
        """;

    /// <summary>One call's timeline: its audit rows and the screens that showed it (each station's receipt), in time order.</summary>
    public const string CallTimeline = $"""
        {Entry}
        WHERE a.call_id = @CallId
        UNION ALL
        SELECT NULL, cd.displayed_at, 'displayed', 'staff', s.id, s.username, cd.call_id, CONCAT('session ', cd.session_id), NULL
        FROM call_displays cd
        JOIN sessions se ON se.id = cd.session_id
        JOIN staff s ON s.id = se.staff_id
        WHERE cd.call_id = @CallId
        ORDER BY At, Id
        LIMIT @Limit
        """;

    /// <summary>Every audit row in a window, oldest first, after a row id (the page cursor).</summary>
    public const string Window = $"""
        {Entry}
        WHERE a.at >= @From AND a.at < @To AND a.id > @AfterId
        ORDER BY a.id
        LIMIT @Limit
        """;

    public const string CallExists = "SELECT COUNT(*) FROM calls WHERE id = @CallId";

    /// <summary>Rows each purge statement removes at most; the purge repeats it until fewer go.</summary>
    public const int PurgeBatch = 5_000;

    // A row of a call is old once the call was resolved before the cutoff (so a timeline goes
    // whole); a row of no call, once it was written before it. The cutoff is at least 31 days
    // back, far beyond any relay's or station's position in the outbox.
    public const string PurgeEvents = """
        DELETE FROM events
        WHERE created_at < @Cutoff
          AND (call_id IS NULL OR EXISTS (SELECT 1 FROM calls c WHERE c.id = events.call_id AND c.status = 'resolved' AND c.resolved_at < @Cutoff))
        LIMIT @Batch
        """;

    public const string PurgeReceipts = """
        DELETE FROM call_displays
        WHERE displayed_at < @Cutoff
          AND EXISTS (SELECT 1 FROM calls c WHERE c.id = call_displays.call_id AND c.status = 'resolved' AND c.resolved_at < @Cutoff)
        LIMIT @Batch
        """;

    public const string PurgePages = """
        DELETE FROM pages
        WHERE created_at < @Cutoff
          AND EXISTS (SELECT 1 FROM calls c WHERE c.id = pages.call_id AND c.status = 'resolved' AND c.resolved_at < @Cutoff)
        LIMIT @Batch
        """;

    public const string PurgeAuditRows = """
        DELETE FROM audit_log
        WHERE at < @Cutoff
          AND (call_id IS NULL OR EXISTS (SELECT 1 FROM calls c WHERE c.id = audit_log.call_id AND c.status = 'resolved' AND c.resolved_at < @Cutoff))
        LIMIT @Batch
        """;
}
