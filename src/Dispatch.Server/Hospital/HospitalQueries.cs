namespace Dispatch.Server.Hospital;

/// <summary>The hospital import's SQL. Lookups are by name, as the file names things.</summary>
internal static class HospitalQueries
{
    // Imports run one at a time: two at once could both add a ward of the same name.
    public const string Lock = "SELECT GET_LOCK('dispatch.hospital_import', 10)";
    public const string Unlock = "DO RELEASE_LOCK('dispatch.hospital_import')";

    public const string Floors = "SELECT id AS Id, name AS Name FROM floors FOR UPDATE";
    public const string Wards = "SELECT id AS Id, name AS Name FROM wards FOR UPDATE";
    public const string Rooms = "SELECT id AS Id, ward_id AS ParentId, name AS Name FROM rooms FOR UPDATE";
    public const string Beds = "SELECT id AS Id, room_id AS ParentId, label AS Name FROM beds FOR UPDATE";
    public const string Stations = "SELECT id AS Id, ward_id AS ParentId, name AS Name FROM devices WHERE kind = 'station' FOR UPDATE";
    public const string Staff = "SELECT id AS Id, username AS Name FROM staff FOR UPDATE";
    public const string Teams = "SELECT id AS Id, name AS Name FROM teams FOR UPDATE";
    public const string Lines = "SELECT id AS Id, name AS Name FROM devices WHERE kind = 'line' FOR UPDATE";

    public const string InsertFloor = "INSERT INTO floors (name, level) VALUES (@Name, @Level); SELECT LAST_INSERT_ID();";
    public const string UpdateFloor = "UPDATE floors SET name = @Name, level = @Level WHERE id = @Id";

    public const string InsertWard = "INSERT INTO wards (name, department, floor_id) VALUES (@Name, @Department, @FloorId); SELECT LAST_INSERT_ID();";
    public const string UpdateWard = "UPDATE wards SET name = @Name, department = @Department, floor_id = @FloorId WHERE id = @Id";

    public const string InsertRoom = "INSERT INTO rooms (ward_id, name) VALUES (@WardId, @Name); SELECT LAST_INSERT_ID();";
    public const string InsertBed = "INSERT INTO beds (room_id, label) VALUES (@RoomId, @Label); SELECT LAST_INSERT_ID();";

    public const string InsertStaff = """
        INSERT INTO staff (username, display_name, role, ward_id, pager, password_hash)
        VALUES (@Username, @DisplayName, @Role, @WardId, @Pager, @PasswordHash);
        SELECT LAST_INSERT_ID();
        """;

    public const string UpdateStaff = "UPDATE staff SET display_name = @DisplayName, role = @Role, ward_id = @WardId, pager = @Pager WHERE id = @Id";

    public const string InsertTeam = "INSERT INTO teams (name) VALUES (@Name); SELECT LAST_INSERT_ID();";
    public const string UpdateTeam = "UPDATE teams SET name = @Name WHERE id = @Id";
    public const string ClearTeam = "DELETE FROM team_members WHERE team_id = @TeamId; DELETE FROM team_kinds WHERE team_id = @TeamId";
    public const string InsertTeamMember = "INSERT INTO team_members (team_id, staff_id) VALUES (@TeamId, @StaffId)";
    public const string InsertTeamKind = "INSERT INTO team_kinds (team_id, kind) VALUES (@TeamId, @Kind)";

    public const string ClearLine = "DELETE FROM line_addresses WHERE line_id = @LineId; DELETE FROM line_texts WHERE line_id = @LineId";
    public const string InsertLineAddress = "INSERT INTO line_addresses (line_id, address, bed_id, kind) VALUES (@LineId, @Address, @BedId, @Kind)";
    public const string InsertLineText = "INSERT INTO line_texts (line_id, position, contains, kind) VALUES (@LineId, @Position, @Contains, @Kind)";

    public const string Nurses = "SELECT id AS Id, username AS Username, ward_id AS WardId FROM staff WHERE role = 'nurse'";

    public const string BedsByName = """
        SELECT b.id AS Id, w.id AS WardId, w.name AS Ward, r.name AS Room, b.label AS Label
        FROM beds b JOIN rooms r ON r.id = b.room_id JOIN wards w ON w.id = r.ward_id
        """;

    /// <summary>A shift imported again replaces what was imported for exactly its window.</summary>
    public const string ClearShift = "DELETE FROM bed_assignments WHERE starts_at = @From AND ends_at = @To";

    public const string InsertAssignment = """
        INSERT INTO bed_assignments (bed_id, staff_id, is_primary, starts_at, ends_at) VALUES (@BedId, @StaffId, @IsPrimary, @From, @To)
        """;
}
