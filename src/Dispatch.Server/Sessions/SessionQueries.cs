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

    public const string RecentSignInFailures = """
        SELECT
          (SELECT COUNT(*) FROM sign_in_failures WHERE username = @Username AND at > NOW(3) - INTERVAL @WindowSeconds SECOND) AS ByUsername,
          (SELECT COUNT(*) FROM sign_in_failures WHERE address = @Address AND at > NOW(3) - INTERVAL @WindowSeconds SECOND) AS ByAddress,
          CAST(COALESCE(TIMESTAMPDIFF(MICROSECOND, NOW(3),
            (SELECT MIN(at) FROM sign_in_failures
             WHERE (username = @Username OR address = @Address) AND at > NOW(3) - INTERVAL @WindowSeconds SECOND)
            + INTERVAL @WindowSeconds SECOND) / 1000000, 0) AS DOUBLE) AS SecondsUntilOldestLeaves
        """;

    /// <summary>A failure, and away with those past any window (an hour), a few at a time.</summary>
    public const string InsertSignInFailure = """
        INSERT INTO sign_in_failures (username, address) VALUES (@Username, @Address);
        DELETE FROM sign_in_failures WHERE at < NOW(3) - INTERVAL 1 HOUR LIMIT 100;
        """;

    public const string StaffExists = "SELECT COUNT(*) FROM staff WHERE id = @StaffId";

    public const string PasswordOfStaff = "SELECT username AS Username, password_hash AS PasswordHash FROM staff WHERE id = @StaffId";

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
