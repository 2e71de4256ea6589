namespace Dispatch.Server.Escalation;

internal static class EscalationQueries
{
    /// <summary>Open calls by deadline, with the microseconds left (zero or less: due now).</summary>
    public const string NextDeadlines = """
        SELECT id AS CallId, TIMESTAMPDIFF(MICROSECOND, NOW(3), next_escalation_at) AS MicrosLeft
        FROM calls
        WHERE status = 'open' AND next_escalation_at IS NOT NULL
        ORDER BY next_escalation_at
        LIMIT @Limit
        """;

    /// <summary>Locks the call only if it is still due: a call acknowledged or escalated meanwhile is skipped.</summary>
    public const string LockIfDue = """
        SELECT id AS Id, ward_id AS WardId, kind AS Kind, escalation_level AS EscalationLevel, assigned_staff_id AS AssignedStaffId
        FROM calls
        WHERE id = @CallId AND status = 'open' AND escalation_level < @TopLevel AND next_escalation_at <= NOW(3)
        FOR UPDATE
        """;

    /// <summary>An on-duty nurse of the nearest other floor (the one above first), fairly; else another nurse of the ward.</summary>
    public const string Level1Recipient = """
        SELECT s.id
        FROM staff s
        JOIN wards w ON w.id = s.ward_id
        JOIN floors f ON f.id = w.floor_id
        JOIN wards cw ON cw.id = @WardId
        JOIN floors cf ON cf.id = cw.floor_id
        WHERE s.role = 'nurse' AND s.on_duty = 1
          AND (f.level <> cf.level OR (s.ward_id = @WardId AND s.id <> COALESCE(@ExcludeStaffId, 0)))
        ORDER BY f.level = cf.level,
                 ABS(f.level - cf.level),
                 f.level < cf.level,
                 (SELECT COUNT(*) FROM calls c WHERE c.assigned_staff_id = s.id AND c.status IN ('open', 'accepted')),
                 COALESCE(s.last_assigned_at, '1970-01-01'),
                 s.id
        LIMIT 1
        """;

    public const string Level2Recipient = """
        SELECT s.id
        FROM staff s
        JOIN wards w ON w.id = s.ward_id
        JOIN wards cw ON cw.id = @WardId
        WHERE s.role = 'manager' AND s.on_duty = 1 AND w.department = cw.department
        ORDER BY s.ward_id = @WardId DESC, s.id
        LIMIT 1
        """;

    public const string Level3Recipient = """
        SELECT id FROM staff WHERE role = 'admin' AND on_duty = 1 ORDER BY id LIMIT 1
        """;

    public const string Escalate = """
        UPDATE calls
        SET escalation_level = @Level,
            priority = @Priority,
            assigned_staff_id = COALESCE(@RecipientId, assigned_staff_id),
            assigned_at = IF(@RecipientId IS NULL, assigned_at, NOW(3)),
            next_escalation_at = IF(@NextSeconds IS NULL, NULL, created_at + INTERVAL @NextSeconds SECOND)
        WHERE id = @CallId
        """;

    public const string MarkAssigned = """
        UPDATE staff SET last_assigned_at = NOW(3), assignments_total = assignments_total + 1 WHERE id = @RecipientId
        """;

    /// <summary>Whether this staff member has rejected this call before (its audit trail).</summary>
    public const string RejectedBy = """
        SELECT COUNT(*) FROM audit_log
        WHERE call_id = @CallId AND actor_type = 'staff' AND actor_id = @StaffId AND action = 'call_rejected'
        """;
}
