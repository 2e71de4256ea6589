using Dapper;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Testing;

public sealed record TestStaff(int StaffId, string Username, string Password, int? WardId);

public sealed record TestBed(int BedId, int RoomId, string DeviceKey);

public sealed record TestStation(int DeviceId, int WardId, string Name, string Key);

/// <summary>A line from the primary nurse-call system (a device of kind line) and its key.</summary>
public sealed record TestLine(int DeviceId, string Name, string Key);

public sealed record TestWard(int WardId, IReadOnlyList<TestBed> Beds, IReadOnlyList<TestStaff> Nurses);

/// <summary>
/// Creates a ward of its own for one test (unique names, fresh ids), so tests run in any order and
/// in parallel on the shared database.
/// </summary>
public sealed class HospitalBuilder(MySqlDataSource dataSource)
{
    // Real PBKDF2, with a small work factor so that test logins are quick.
    private const int TestHashIterations = 1_000;

    public async Task<TestWard> WardAsync(int nurses = 3, int beds = 2, bool allOnDuty = true, int floorLevel = 1, string department = "Test")
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var floorId = await InsertAsync(conn, "INSERT INTO floors (name, level) VALUES (@name, @floorLevel)", new { name = $"floor {tag}", floorLevel });
        var wardId = await InsertAsync(conn, "INSERT INTO wards (name, department, floor_id) VALUES (@name, @department, @floorId)",
            new { name = $"ward {tag}", department, floorId });
        var roomId = await InsertAsync(conn, "INSERT INTO rooms (ward_id, name) VALUES (@wardId, @name)", new { wardId, name = $"r{tag}" });

        var bedList = new List<TestBed>();
        for (var b = 0; b < beds; b++)
        {
            var bedId = await InsertAsync(conn, "INSERT INTO beds (room_id, label) VALUES (@roomId, @label)",
                new { roomId, label = b < 26 ? ((char)('A' + b)).ToString() : $"{b + 1}" });
            var key = Secrets.NewToken();
            await InsertAsync(conn, "INSERT INTO devices (kind, name, bed_id, key_hash) VALUES ('bed', @name, @bedId, @keyHash)",
                new { name = $"bed {tag}{b}", bedId, keyHash = Secrets.Hash(key) });
            bedList.Add(new TestBed(bedId, roomId, key));
        }

        var nurseList = new List<TestStaff>();
        for (var n = 0; n < nurses; n++)
        {
            nurseList.Add(await StaffAsync(conn, $"nurse-{tag}-{n}", StaffUser.Nurse, wardId, allOnDuty));
        }
        return new TestWard(wardId, bedList, nurseList);
    }

    public async Task<TestStaff> StaffAsync(string role, int? wardId)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return await StaffAsync(conn, $"{role}-{Guid.NewGuid():N}"[..24], role, wardId, onDuty: true);
    }

    /// <summary>A nurse-station screen of the ward, with its station device key; never seen, or last seen that long ago.</summary>
    public async Task<TestStation> StationAsync(int wardId, string name, int? lastSeenSecondsAgo = null)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var key = Secrets.NewToken();
        var deviceId = await InsertAsync(conn, """
            INSERT INTO devices (kind, name, ward_id, key_hash, last_heartbeat_at)
            VALUES ('station', @name, @wardId, @keyHash, NOW(3) - INTERVAL @lastSeenSecondsAgo SECOND)
            """, new { name, wardId, keyHash = Secrets.Hash(key), lastSeenSecondsAgo });
        return new TestStation(deviceId, wardId, name, key);
    }

    /// <summary>When the station was last seen (stamped by a node's heartbeat or identified); null if never.</summary>
    public async Task<DateTime?> StationLastSeenAsync(int deviceId)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return await conn.QuerySingleAsync<DateTime?>("SELECT last_heartbeat_at FROM devices WHERE id = @deviceId", new { deviceId });
    }

    /// <summary>The station counts as never seen (which raises no silence), so the next stamp shows who vouches for it now.</summary>
    public async Task ForgetStationSeenAsync(int deviceId)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE devices SET last_heartbeat_at = NULL WHERE id = @deviceId", new { deviceId });
    }

    /// <summary>Assigns the bed to the nurse for a shift running now.</summary>
    public async Task AssignBedAsync(TestBed bed, TestStaff nurse, bool isPrimary)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("""
            INSERT INTO bed_assignments (bed_id, staff_id, is_primary, starts_at, ends_at)
            VALUES (@BedId, @StaffId, @isPrimary, NOW() - INTERVAL 1 HOUR, NOW() + INTERVAL 11 HOUR)
            """, new { bed.BedId, nurse.StaffId, isPrimary });
    }

    /// <summary>A team, as the hospital file's teams are imported: these members get every call of these kinds.</summary>
    public async Task TeamAsync(IReadOnlyList<TestStaff> members, params string[] kinds)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var teamId = await InsertAsync(conn, "INSERT INTO teams (name) VALUES (@name)", new { name = $"team {Guid.NewGuid():N}"[..20] });
        await conn.ExecuteAsync("INSERT INTO team_members (team_id, staff_id) VALUES (@teamId, @StaffId)", members.Select(m => new { teamId, m.StaffId }));
        await conn.ExecuteAsync("INSERT INTO team_kinds (team_id, kind) VALUES (@teamId, @kind)", kinds.Select(kind => new { teamId, kind }));
    }

    /// <summary>
    /// A line from the primary nurse-call system, as the hospital file's lines make it: each call
    /// address a kind of call at a bed, and texts (first match first) that make it another kind, or
    /// (kind null) end the address's call.
    /// </summary>
    public async Task<TestLine> LineAsync(IReadOnlyList<(string Address, TestBed Bed, string Kind)> addresses, params (string Contains, string? Kind)[] texts)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        var (name, key) = ($"line {Guid.NewGuid():N}"[..20], Secrets.NewToken());
        var lineId = await InsertAsync(conn, "INSERT INTO devices (kind, name, key_hash) VALUES ('line', @name, @keyHash)", new { name, keyHash = Secrets.Hash(key) });
        await conn.ExecuteAsync("INSERT INTO line_addresses (line_id, address, bed_id, kind) VALUES (@lineId, @Address, @BedId, @Kind)",
            addresses.Select(a => new { lineId, a.Address, a.Bed.BedId, a.Kind }));
        await conn.ExecuteAsync("INSERT INTO line_texts (line_id, position, contains, kind) VALUES (@lineId, @position, @Contains, @Kind)",
            texts.Select((t, position) => new { lineId, position, t.Contains, t.Kind }));
        return new TestLine(lineId, name, key);
    }

    /// <summary>A line with no call addresses: a key for the link to the paging server.</summary>
    public Task<TestLine> PagingLineAsync() => LineAsync([]);

    /// <summary>The staff member's pager number, as the hospital file's staff[].pager sets it.</summary>
    public async Task SetPagerAsync(TestStaff staff, string pager)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE staff SET pager = @pager WHERE id = @StaffId", new { pager, staff.StaffId });
    }

    /// <summary>Locks the beds' rows, as a raise in progress does, until disposed: raises at these beds wait meanwhile.</summary>
    public Task<IAsyncDisposable> HoldBedsAsync(IEnumerable<TestBed> beds) =>
        HoldAsync("SELECT id FROM beds WHERE id IN @ids FOR UPDATE", new { ids = beds.Select(b => b.BedId).ToList() });

    /// <summary>Locks the call's row, as a change to it in progress does, until disposed.</summary>
    public Task<IAsyncDisposable> HoldCallAsync(long callId) => HoldAsync("SELECT id FROM calls WHERE id = @callId FOR UPDATE", new { callId });

    private async Task<IAsyncDisposable> HoldAsync(string lockingSelect, object args)
    {
        var conn = await dataSource.OpenConnectionAsync();
        var tx = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync(lockingSelect, args, tx);
        return new HeldRows(conn, tx);
    }

    private sealed class HeldRows(MySqlConnection conn, MySqlTransaction tx) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await tx.RollbackAsync();
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }

    public async Task SetOnDutyAsync(TestStaff staff, bool onDuty)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        await conn.ExecuteAsync("UPDATE staff SET on_duty = @onDuty WHERE id = @StaffId", new { onDuty, staff.StaffId });
    }

    public async Task<IReadOnlyList<long>> CallIdsAsync(int wardId)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<long>("SELECT id FROM calls WHERE ward_id = @wardId ORDER BY id", new { wardId })).ToList();
    }

    /// <summary>Any read a test needs to check what the server wrote.</summary>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, object? args = null)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return [.. await conn.QueryAsync<T>(sql, args)];
    }

    public async Task<long> LastSequenceAsync(int wardId)
    {
        await using var conn = await dataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long?>("SELECT last_seq FROM ward_sequences WHERE ward_id = @wardId", new { wardId }) ?? 0;
    }

    private static async Task<TestStaff> StaffAsync(MySqlConnection conn, string username, string role, int? wardId, bool onDuty)
    {
        var password = Secrets.NewToken();
        var id = await InsertAsync(conn, """
            INSERT INTO staff (username, display_name, role, ward_id, on_duty, password_hash)
            VALUES (@username, @username, @role, @wardId, @onDuty, @hash)
            """, new { username, role, wardId, onDuty, hash = PasswordHasher.Hash(password, TestHashIterations) });
        return new TestStaff(id, username, password, wardId);
    }

    private static Task<int> InsertAsync(MySqlConnection conn, string sql, object args) =>
        conn.ExecuteScalarAsync<int>(sql + "; SELECT LAST_INSERT_ID();", args);
}
