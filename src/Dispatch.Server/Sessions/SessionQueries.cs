namespace Dispatch.Server.Sessions;

internal static class SessionQueries
{
    public const string FindActiveByTokenHash = """
        SELECT st.id AS StaffId, s.id AS SessionId, st.role AS Role, st.ward_id AS WardId, st.display_name AS DisplayName
        FROM sessions s
        JOIN staff st ON st.id = s.staff_id
        WHERE s.token_hash = @TokenHash AND s.revoked = 0 AND s.expires_at > NOW(3)
        """;

    public const string FindStaffForLogin = """
        SELECT id AS Id, password_hash AS PasswordHash, role AS Role, ward_id AS WardId, display_name AS DisplayName, on_duty AS OnDuty
        FROM staff WHERE username = @Username
        """;

    public const string Insert = """
        INSERT INTO sessions (staff_id, token_hash, expires_at)
        VALUES (@StaffId, @TokenHash, NOW(3) + INTERVAL @LifetimeHours HOUR);
        SELECT id AS Id, expires_at AS ExpiresAt FROM sessions WHERE id = LAST_INSERT_ID();
        """;

    public const string Revoke = """
        UPDATE sessions SET revoked = 1, revoked_at = NOW(3) WHERE id = @SessionId AND revoked = 0
        """;

    public const string RevokeAllOfStaff = """
        UPDATE sessions SET revoked = 1, revoked_at = NOW(3) WHERE staff_id = @StaffId AND revoked = 0
        """;

    public const string RevokeOthersOfStaff = """
        UPDATE sessions SET revoked = 1, revoked_at = NOW(3) WHERE staff_id = @StaffId AND id <> @SessionId AND revoked = 0
        """;

    public const string StaffExists = "SELECT COUNT(*) FROM staff WHERE id = @StaffId";

    public const string PasswordHashForUpdate = "SELECT password_hash FROM staff WHERE id = @StaffId FOR UPDATE";

    public const string SetPassword = "UPDATE staff SET password_hash = @PasswordHash WHERE id = @StaffId";

    public const string SetDuty = """
        UPDATE staff SET on_duty = @OnDuty WHERE id = @StaffId
        """;

    /// <summary>Of the given sessions, those revoked or expired.</summary>
    public const string EndedAmong = """
        SELECT id FROM sessions WHERE id IN @Ids AND (revoked = 1 OR expires_at <= NOW(3))
        """;
}
