using Dispatch.Server.Clinical;

namespace Dispatch.Server.Calls;

internal static class CallQueries
{
    public const string FindBed = """
        SELECT b.id AS BedId, r.ward_id AS WardId
        FROM beds b JOIN rooms r ON r.id = b.room_id
        WHERE b.id = @BedId
        """;

    /// <summary>The bed, locked: presses at one bed, on any node, queue here one after the other.</summary>
    public const string LockBed = FindBed + "\nFOR UPDATE";

    /// <summary>The bed's unresolved call of this kind, if any (at most one: raises of a bed are serialised by its lock).</summary>
    public const string OpenCallOfBedAndKind = """
        SELECT id FROM calls WHERE bed_id = @BedId AND kind = @Kind AND status IN ('open', 'accepted') LIMIT 1
        """;

    public const string Repeat = "UPDATE calls SET repeat_count = repeat_count + 1 WHERE id = @CallId";

    /// <summary>The call an earlier raise with this Idempotency-Key raised at the bed, whatever its state now.</summary>
    public const string CallOfIdempotencyKey = """
        SELECT id AS Id, kind AS Kind FROM calls WHERE bed_id = @BedId AND idempotency_key = @IdempotencyKey
        """;

    /// <summary>
    /// The bed device or primary-system line of this key, and whether it may act at this bed: a bed
    /// device at its own bed, a line at the beds its addresses map (the hospital file's lines).
    /// </summary>
    public const string FindBedDevice = """
        SELECT d.id AS Id, d.kind AS Kind,
               (COALESCE(d.bed_id = @BedId, 0) OR EXISTS (SELECT 1 FROM line_addresses a WHERE a.line_id = d.id AND a.bed_id = @BedId)) AS ServesBed
        FROM devices d WHERE d.key_hash = @KeyHash AND d.kind IN ('bed', 'line')
        """;

    public const string LockSilentDevice = """
        SELECT id AS Id, bed_id AS BedId FROM devices
        WHERE id = @DeviceId AND trouble_call_id IS NULL
          AND last_heartbeat_at IS NOT NULL AND last_heartbeat_at < NOW(3) - INTERVAL @SilentSeconds SECOND
        FOR UPDATE
        """;

    public const string SetTroubleCall = "UPDATE devices SET trouble_call_id = @CallId WHERE id = @DeviceId";

    public const string LockNonce = """
        SELECT id AS Id, bed_id AS BedId, is_used AS IsUsed, expires_at > NOW(3) AS IsLive
        FROM patient_sessions WHERE nonce_hash = @NonceHash FOR UPDATE
        """;

    public const string UseNonce = """
        UPDATE patient_sessions SET is_used = 1, used_at = NOW(3) WHERE id = @Id
        """;

    public const string InsertPatientSession = """
        INSERT INTO patient_sessions (bed_id, nonce_hash, expires_at)
        VALUES (@BedId, @NonceHash, NOW(3) + INTERVAL @LifetimeMinutes MINUTE);
        SELECT expires_at FROM patient_sessions WHERE id = LAST_INSERT_ID();
        """;

    public const string InsertCall = """
        INSERT INTO calls (bed_id, ward_id, kind, priority, raised_by, next_escalation_at, idempotency_key)
        VALUES (@BedId, @WardId, @Kind, @Priority, @RaisedBy, NOW(3) + INTERVAL @EscalationSeconds SECOND, @IdempotencyKey);
        SELECT LAST_INSERT_ID();
        """;

    public const string AssignToNextNurse = """
        CALL sp_assign_call_to_next_nurse(@CallId)
        """;

    /// <summary>The call's bed and ward, read without a lock (a call never changes bed).</summary>
    public const string BedOfCall = "SELECT bed_id AS BedId, ward_id AS WardId FROM calls WHERE id = @CallId";

    public const string LockCall = """
        SELECT id AS Id, ward_id AS WardId, bed_id AS BedId, kind AS Kind, status AS Status,
               assigned_staff_id AS AssignedStaffId, escalation_level AS EscalationLevel
        FROM calls WHERE id = @CallId FOR UPDATE
        """;

    public const string LockOpenCallsOfBed = """
        SELECT id AS Id, ward_id AS WardId, bed_id AS BedId, kind AS Kind, status AS Status,
               assigned_staff_id AS AssignedStaffId, escalation_level AS EscalationLevel
        FROM calls WHERE bed_id = @BedId AND status IN ('open', 'accepted')
        ORDER BY id FOR UPDATE
        """;

    public const string Accept = """
        UPDATE calls SET status = 'accepted', accepted_at = NOW(3), accepted_by = @StaffId, next_escalation_at = NULL
        WHERE id = @CallId
        """;

    public const string RecordFirstAssignee = """
        UPDATE calls SET first_assigned_staff_id = @StaffId WHERE id = @CallId
        """;

    /// <summary>A nurse arrived at the bed: kept once per call, for the arrival-time KPI.</summary>
    public const string RecordPresence = """
        UPDATE calls SET first_presence_at = COALESCE(first_presence_at, NOW(3)), present_staff_id = COALESCE(present_staff_id, @StaffId)
        WHERE bed_id = @BedId AND status IN ('open', 'accepted')
        """;

    public const string Resolve = """
        UPDATE calls SET status = 'resolved', resolved_at = NOW(3), resolved_by = @ResolvedBy,
               present_staff_id = @PresentStaffId, next_escalation_at = NULL
        WHERE id = @CallId
        """;

    public const string StaffExists = """
        SELECT COUNT(*) FROM staff WHERE id = @StaffId
        """;

    private const string SelectView = """
        SELECT c.id AS Id, c.ward_id AS WardId, c.bed_id AS BedId, r.name AS Room, b.label AS Bed,
               c.kind AS Kind, c.priority AS Priority, c.status AS Status,
               c.assigned_staff_id AS AssignedStaffId, s.display_name AS AssignedStaffName,
               c.escalation_level AS EscalationLevel, c.created_at AS CreatedAt,
               c.accepted_at AS AcceptedAt, c.resolved_at AS ResolvedAt, c.repeat_count AS RepeatCount,
               w.name AS Ward, c.next_escalation_at AS NextEscalationAt,
               ps.display_name AS PresentStaffName, c.first_presence_at AS PresentSince,
               (SELECT GROUP_CONCAT(fs.display_name ORDER BY p.id SEPARATOR ', ')
                FROM pages p JOIN staff fs ON fs.id = p.staff_id
                WHERE p.call_id = c.id AND p.status = 'failed') AS PagesFailedTo
        FROM calls c
        JOIN wards w ON w.id = c.ward_id
        JOIN beds b ON b.id = c.bed_id
        JOIN rooms r ON r.id = b.room_id
        LEFT JOIN staff s ON s.id = c.assigned_staff_id
        LEFT JOIN staff ps ON ps.id = c.present_staff_id
        """;

    public const string ViewById = SelectView + "\nWHERE c.id = @CallId";

    /// <summary>
    /// A staff member's calls, of any ward: those assigned to them and, while they are on duty,
    /// those of their teams' kinds; most urgent first, then oldest first.
    /// </summary>
    public const string OpenCallsForStaff = SelectView + """

        WHERE c.status IN ('open', 'accepted')
          AND (c.assigned_staff_id = @StaffId OR
        """ + "\n" + TeamQueries.IsForStaffsTeam + """
        )
        ORDER BY c.priority DESC, c.created_at, c.id
        """;

    public const string OpenCallsOfWard = SelectView + """

        WHERE c.ward_id = @WardId AND c.status IN ('open', 'accepted')
        ORDER BY c.priority DESC, c.created_at, c.id
        """;

    public const string CountPending = "SELECT COUNT(*) FROM calls WHERE status = 'open'";
}
