namespace Dispatch.Server.Devices;

internal static class DeviceQueries
{
    /// <summary>Every device, or a ward's (its beds' devices and its stations), with whether it is silent now.</summary>
    public const string List = """
        SELECT d.id AS Id, d.kind AS Kind, d.name AS Name, d.bed_id AS BedId, COALESCE(d.ward_id, r.ward_id) AS WardId,
               d.last_heartbeat_at AS LastSeenAt, (d.trouble_call_id IS NOT NULL OR d.trouble_reported_at IS NOT NULL) AS Silent
        FROM devices d
        LEFT JOIN beds b ON b.id = d.bed_id
        LEFT JOIN rooms r ON r.id = b.room_id
        WHERE @WardId IS NULL OR COALESCE(d.ward_id, r.ward_id) = @WardId
        ORDER BY WardId, d.kind DESC, d.name
        """;

    public const string BedExists = "SELECT COUNT(*) FROM beds WHERE id = @BedId";

    public const string WardExists = "SELECT COUNT(*) FROM wards WHERE id = @WardId";

    public const string Insert = """
        INSERT INTO devices (kind, name, bed_id, ward_id, key_hash) VALUES (@Kind, @Name, @BedId, @WardId, @KeyHash);
        SELECT LAST_INSERT_ID();
        """;

    public const string Lock = """
        SELECT id AS Id, kind AS Kind, name AS Name, ward_id AS WardId, last_heartbeat_at AS LastSeenAt,
               trouble_call_id AS TroubleCallId, trouble_reported_at IS NOT NULL AS ReportedSilent
        FROM devices WHERE id = @DeviceId FOR UPDATE
        """;

    public const string OpenCall = "SELECT COUNT(*) FROM calls WHERE id = @CallId AND status IN ('open', 'accepted')";

    public const string Delete = "DELETE FROM devices WHERE id = @DeviceId";

    /// <summary>The device of this key, locked against a concurrent silence check.</summary>
    public const string LockByKey = """
        SELECT id AS Id, trouble_call_id AS TroubleCallId FROM devices WHERE key_hash = @KeyHash FOR UPDATE
        """;

    /// <summary>A heartbeat: seen now, and any silence (its trouble call) over.</summary>
    public const string Seen = "UPDATE devices SET last_heartbeat_at = NOW(3), trouble_call_id = NULL WHERE id = @DeviceId";
}
