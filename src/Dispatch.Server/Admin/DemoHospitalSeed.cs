using System.Globalization;
using System.Text;
using Dapper;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Admin;

/// <summary>
/// A demo hospital for a local run: 3 floors, 6 wards with a nurse-station screen each, 72 beds
/// with call-button devices, 36 nurses with pagers (5WN: ward W, nurse N)
/// assigned to beds for the current shift (4 of 6 per ward on duty), a manager for each of the 4
/// departments and an admin; a line from a (simulated) primary nurse-call system whose call
/// address for each of ward 1's beds is its room and bed (101A … 106B), and a line to a
/// (simulated) paging server. Secrets are random per installation and written only to the
/// credentials file.
/// Does nothing when the hospital already has floors.
/// </summary>
public static class DemoHospitalSeed
{
    private static readonly (string Floor, int Level, (string Ward, string Department)[] Wards)[] s_layout =
    [
        ("Ground floor", 0, [("Emergency", "Emergency"), ("Paediatrics", "Paediatrics")]),
        ("First floor", 1, [("Cardiology A", "Cardiology"), ("Cardiology B", "Cardiology")]),
        ("Second floor", 2, [("Surgery A", "Surgery"), ("Surgery B", "Surgery")]),
    ];

    private const int RoomsPerWard = 6;
    private const int BedsPerRoom = 2;
    private const int NursesPerWard = 6;
    private const int NursesOnDutyPerWard = 4;

    public static async Task<int> RunAsync(MySqlDataSource dataSource, string credentialsFile, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM floors", cancellationToken: ct)) > 0)
        {
            Console.WriteLine("demo hospital already seeded; credentials stay in " + credentialsFile);
            // A demo hospital seeded before lines and pagers existed gets them now.
            await AddLinesAsync(conn, credentialsFile, ct);
            return 0;
        }

        var password = Secrets.NewToken()[..16];
        var (shiftStart, shiftEnd) = CurrentShift(DateTime.UtcNow);
        var credentials = new StringBuilder()
            .AppendLine("# Demo hospital credentials (local use only; generated, never committed).")
            .AppendLine(CultureInfo.InvariantCulture, $"DEMO_PASSWORD={password}");

        await using var tx = await conn.BeginTransactionAsync(ct);
        var managers = new Dictionary<string, bool>();
        var wardNumber = 0;
        foreach (var (floorName, level, wards) in s_layout)
        {
            var floorId = await InsertAsync(tx, "INSERT INTO floors (name, level) VALUES (@floorName, @level)", new { floorName, level }, ct);
            foreach (var (wardName, department) in wards)
            {
                wardNumber++;
                var wardId = await InsertAsync(tx, "INSERT INTO wards (name, department, floor_id) VALUES (@wardName, @department, @floorId)",
                    new { wardName, department, floorId }, ct);
                var nurseIds = new List<int>();
                for (var n = 1; n <= NursesPerWard; n++)
                {
                    nurseIds.Add(await InsertStaffAsync(tx, $"nurse-{wardNumber}-{n}", $"Nurse {wardName} {n}", StaffUser.Nurse,
                        wardId, onDuty: n <= NursesOnDutyPerWard, password, ct));
                }
                if (managers.TryAdd(department, true))
                {
                    await InsertStaffAsync(tx, $"manager-{department.ToLowerInvariant()}", $"{department} manager", StaffUser.Manager,
                        wardId, onDuty: true, password, ct);
                }

                // The ward's nurse-station screen; its key goes into the board's sign-in form.
                var stationKey = Secrets.NewToken();
                await InsertAsync(tx, "INSERT INTO devices (kind, name, ward_id, key_hash) VALUES ('station', @name, @wardId, @keyHash)",
                    new { name = $"{wardName} desk", wardId, keyHash = Secrets.Hash(stationKey) }, ct);
                credentials.AppendLine(CultureInfo.InvariantCulture, $"STATION_{wardId}_KEY={stationKey}");

                var bedIndex = 0;
                for (var r = 1; r <= RoomsPerWard; r++)
                {
                    var roomId = await InsertAsync(tx, "INSERT INTO rooms (ward_id, name) VALUES (@wardId, @name)",
                        new { wardId, name = $"{wardNumber}{r:00}" }, ct);
                    for (var b = 0; b < BedsPerRoom; b++, bedIndex++)
                    {
                        var bedId = await InsertAsync(tx, "INSERT INTO beds (room_id, label) VALUES (@roomId, @label)",
                            new { roomId, label = ((char)('A' + b)).ToString() }, ct);
                        var key = Secrets.NewToken();
                        await InsertAsync(tx, "INSERT INTO devices (kind, name, bed_id, key_hash) VALUES ('bed', @name, @bedId, @keyHash)",
                            new { name = $"bed {wardNumber}{r:00}{(char)('A' + b)}", bedId, keyHash = Secrets.Hash(key) }, ct);
                        credentials.AppendLine(CultureInfo.InvariantCulture, $"BED_{bedId}_WARD={wardId}")
                            .AppendLine(CultureInfo.InvariantCulture, $"BED_{bedId}_KEY={key}");


                        // Beds are shared out among the on-duty nurses; the next nurse is secondary.
                        var primary = nurseIds[bedIndex % NursesOnDutyPerWard];
                        var secondary = nurseIds[(bedIndex + 1) % NursesOnDutyPerWard];
                        await AssignBedAsync(tx, bedId, primary, isPrimary: true, shiftStart, shiftEnd, ct);
                        await AssignBedAsync(tx, bedId, secondary, isPrimary: false, shiftStart, shiftEnd, ct);
                    }
                }
            }
        }
        await InsertStaffAsync(tx, "admin", "System administration", StaffUser.Admin, null, onDuty: true, password, ct);
        await tx.CommitAsync(ct);

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(credentialsFile))!);
        await File.WriteAllTextAsync(credentialsFile, credentials.ToString(), ct);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(credentialsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await AddLinesAsync(conn, credentialsFile, ct);
        Console.WriteLine($"seeded the demo hospital: {wardNumber} wards, {wardNumber * RoomsPerWard * BedsPerRoom} beds, " +
                          $"{wardNumber * NursesPerWard} nurses; credentials in {credentialsFile}");
        return 0;
    }

    /// <summary>
    /// Once: the simulated nurse-call system's line (LINE_KEY), whose call address for each of the
    /// first ward's beds is its room and bed (101A … 106B), "CODE BLUE" in a message making a code
    /// blue and "CANCEL" ending the address's call; the paging server's line (PAGING_KEY); and each
    /// demo nurse's pager, 5WN. For Dispatch.Gateway as scripts/run.sh starts it.
    /// </summary>
    private static async Task AddLinesAsync(MySqlConnection conn, string credentialsFile, CancellationToken ct)
    {
        if (await conn.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM devices WHERE kind = 'line'", cancellationToken: ct)) > 0)
        {
            return;
        }
        var (lineKey, pagingKey) = (Secrets.NewToken(), Secrets.NewToken());
        await using var tx = await conn.BeginTransactionAsync(ct);
        var lineId = await InsertAsync(tx, "INSERT INTO devices (kind, name, key_hash) VALUES ('line', 'Nurse-call simulator', @keyHash)",
            new { keyHash = Secrets.Hash(lineKey) }, ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO line_addresses (line_id, address, bed_id, kind)
            SELECT @lineId, CONCAT(r.name, b.label), b.id, 'normal'
            FROM beds b JOIN rooms r ON r.id = b.room_id
            WHERE r.ward_id = (SELECT MIN(id) FROM wards);
            INSERT INTO line_texts (line_id, position, contains, kind) VALUES (@lineId, 0, 'CODE BLUE', 'code_blue'), (@lineId, 1, 'CANCEL', NULL);
            UPDATE staff SET pager = CONCAT('5', SUBSTRING_INDEX(SUBSTRING_INDEX(username, '-', 2), '-', -1), SUBSTRING_INDEX(username, '-', -1))
            WHERE role = 'nurse' AND username LIKE 'nurse-%-%';
            """, new { lineId }, tx, cancellationToken: ct));
        await InsertAsync(tx, "INSERT INTO devices (kind, name, key_hash) VALUES ('line', 'Paging simulator', @keyHash)",
            new { keyHash = Secrets.Hash(pagingKey) }, ct);
        await tx.CommitAsync(ct);
        await File.AppendAllTextAsync(credentialsFile, $"LINE_KEY={lineKey}\nPAGING_KEY={pagingKey}\n", ct);
    }

    /// <summary>Day shift 07:00–19:00 UTC, night shift 19:00–07:00.</summary>
    internal static (DateTime Start, DateTime End) CurrentShift(DateTime utcNow)
    {
        var day = utcNow.Date;
        var start = utcNow.Hour switch
        {
            < 7 => day.AddHours(-5),
            < 19 => day.AddHours(7),
            _ => day.AddHours(19),
        };
        return (start, start.AddHours(12));
    }

    private static Task<int> InsertStaffAsync(
        MySqlTransaction tx, string username, string displayName, string role, int? wardId, bool onDuty, string password, CancellationToken ct) =>
        InsertAsync(tx, """
            INSERT INTO staff (username, display_name, role, ward_id, on_duty, password_hash)
            VALUES (@username, @displayName, @role, @wardId, @onDuty, @passwordHash)
            """, new { username, displayName, role, wardId, onDuty, passwordHash = PasswordHasher.Hash(password) }, ct);

    private static Task<int> AssignBedAsync(
        MySqlTransaction tx, int bedId, int staffId, bool isPrimary, DateTime start, DateTime end, CancellationToken ct) =>
        InsertAsync(tx, """
            INSERT INTO bed_assignments (bed_id, staff_id, is_primary, starts_at, ends_at)
            VALUES (@bedId, @staffId, @isPrimary, @start, @end)
            """, new { bedId, staffId, isPrimary, start, end }, ct);

    private static Task<int> InsertAsync(MySqlTransaction tx, string sql, object args, CancellationToken ct) =>
        tx.Connection!.ExecuteScalarAsync<int>(new CommandDefinition(sql + "; SELECT LAST_INSERT_ID();", args, tx, cancellationToken: ct));
}
