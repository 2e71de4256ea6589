namespace Dispatch.Server.Clinical;

/// <summary>Team routing's SQL (db/migrations/013_teams.up.sql).</summary>
public static class TeamQueries
{
    public const string KindsWithTeams = "SELECT DISTINCT kind FROM team_kinds";

    public const string OnDutyMembers = """
        SELECT DISTINCT tm.staff_id
        FROM team_kinds tk
        JOIN team_members tm ON tm.team_id = tk.team_id
        JOIN staff s ON s.id = tm.staff_id
        WHERE tk.kind = @Kind AND s.on_duty = 1
        ORDER BY tm.staff_id
        """;

    /// <summary>The kinds a staff member's teams take while they are on duty (a condition on calls c, for @StaffId).</summary>
    public const string IsForStaffsTeam = """
        c.kind IN (SELECT tk.kind
                   FROM team_kinds tk
                   JOIN team_members tm ON tm.team_id = tk.team_id
                   JOIN staff me ON me.id = tm.staff_id
                   WHERE tm.staff_id = @StaffId AND me.on_duty = 1)
        """;
}
