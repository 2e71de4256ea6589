using Dapper;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

/// <summary>`Dispatch.Server hospital import` and `hospital roster`, with the example files the repository ships, on a database of its own.</summary>
public sealed class HospitalImportTests : IAsyncLifetime
{
    private static readonly string s_example = Path.Combine(Repository.Root, "deploy", "hospital.example.json");
    private readonly string _folder = Directory.CreateTempSubdirectory("dispatch-hospital-").FullName;
    private ScratchDatabase _database = null!;

    private sealed record SecretLine(string Kind, int Id, string Name, string Secret);

    public async Task InitializeAsync()
    {
        _database = await ScratchDatabase.CreateAsync();
        await _database.Migrations.UpAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task TheExampleHospitalIsImportedWithASecretForEachNewBedStationAndStaffMemberThatWorks()
    {
        var secretsFile = Path.Combine(_folder, "secrets.tsv");

        var (exitCode, output) = await ImportAsync(s_example, secretsFile);

        exitCode.Should().Be(0, output);
        output.Should().Contain("floors 2 added, 0 updated, wards 2 added, 0 updated, rooms 3 added, 0 updated, beds 5 added, 0 updated, " +
                                "stations 3 added, 0 updated, staff 5 added, 0 updated, teams 1 added, 0 updated, lines 1 added, 0 updated");
        (await CountsAsync()).Should().Be((2L, 2L, 3L, 5L, 5L, 3L, 5L));
        File.GetUnixFileMode(secretsFile).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite, "the file holds passwords and keys");

        var secrets = ReadSecrets(secretsFile);
        secrets.Select(s => s.Kind).Should().BeEquivalentTo(["password", "password", "password", "password", "password",
            "bed-key", "bed-key", "bed-key", "bed-key", "bed-key", "station-key", "station-key", "station-key", "line-key"]);
        await using var conn = await _database.DataSource.OpenConnectionAsync();
        foreach (var secret in secrets)
        {
            switch (secret.Kind)
            {
                case "password":
                    (await conn.QuerySingleAsync<string>("SELECT password_hash FROM staff WHERE id = @Id AND username = @Name", secret))
                        .Should().Match(hash => PasswordHasher.Verify(secret.Secret, hash), $"{secret.Name}'s password signs them in");
                    break;
                case "bed-key":
                    (await conn.ExecuteScalarAsync<int?>("SELECT bed_id FROM devices WHERE kind = 'bed' AND key_hash = @hash", new { hash = Secrets.Hash(secret.Secret) }))
                        .Should().Be(secret.Id, $"the key is the call button of bed {secret.Name}");
                    break;
                default:
                    (await conn.ExecuteScalarAsync<string>("SELECT name FROM devices WHERE kind = @kind AND id = @Id AND key_hash = @hash",
                        new { kind = secret.Kind[..^"-key".Length], secret.Id, hash = Secrets.Hash(secret.Secret) }))
                        .Should().NotBeNull($"the key is the {secret.Kind[..^"-key".Length]} {secret.Name}");
                    break;
            }
        }

        (await conn.QueryAsync<(string, string, string?)>("""
            SELECT s.username, s.role, w.name FROM staff s LEFT JOIN wards w ON w.id = s.ward_id ORDER BY s.username
            """)).Should().Equal(("a.rahman", "nurse", "Emergency"), ("it.admin", "admin", null), ("j.smith", "nurse", "Emergency"),
                                 ("l.chen", "manager", "Cardiology"), ("m.garcia", "nurse", "Cardiology"));
        (await conn.QueryAsync<(string, int)>("SELECT w.name, f.level FROM wards w JOIN floors f ON f.id = w.floor_id ORDER BY f.level"))
            .Should().Equal(("Emergency", 0), ("Cardiology", 1));
        (await TeamsAsync(conn)).Should().Equal(("Code team", "a.rahman,m.garcia", "code_blue"));
        (await conn.QueryAsync<(string, string, string, string)>("""
            SELECT a.address, CONCAT(w.name, ' / ', r.name, ' / ', b.label), a.kind, d.name
            FROM line_addresses a JOIN devices d ON d.id = a.line_id JOIN beds b ON b.id = a.bed_id JOIN rooms r ON r.id = b.room_id JOIN wards w ON w.id = r.ward_id
            ORDER BY a.address
            """)).Should().Equal(("1101", "Emergency / E01 / A", "normal", "Nurse-call ESPA"), ("1102", "Emergency / E01 / B", "normal", "Nurse-call ESPA"),
                                 ("1109", "Emergency / E01 / A", "bath", "Nurse-call ESPA"), ("2111", "Cardiology / C11 / A", "normal", "Nurse-call ESPA"));
        (await conn.QueryAsync<(string, string?)>("SELECT contains, kind FROM line_texts ORDER BY position"))
            .Should().Equal(("CODE BLUE", "code_blue"), ("CANCEL", null));
        (await conn.ExecuteScalarAsync<string>("SELECT detail FROM audit_log WHERE action = 'hospital_imported'")).Should().Contain("beds 5 added, 0 updated");
    }

    [Fact]
    public async Task ImportingAgainUpdatesByNameAndAddsOnlyWhatIsNewWithOnlyItsSecrets()
    {
        (await ImportAsync(s_example, Path.Combine(_folder, "first.tsv"))).ExitCode.Should().Be(0);
        await using var conn = await _database.DataSource.OpenConnectionAsync();
        var smithsPassword = await conn.QuerySingleAsync<string>("SELECT password_hash FROM staff WHERE username = 'j.smith'");

        // John Smith moves to Cardiology under another spelling of his name; room C11 gets a bed C;
        // the names' case differs from the first import, as a hand-edited file's might.
        var changed = File.ReadAllText(s_example)
            .Replace("""{ "username": "j.smith", "name": "John Smith", "role": "nurse", "ward": "Emergency" }""",
                     """{ "username": "J.Smith", "name": "Jon Smith", "role": "nurse", "ward": "cardiology" }""", StringComparison.Ordinal)
            .Replace("""{ "name": "C11", "beds": ["A", "B"] }""", """{ "name": "c11", "beds": ["a", "B", "C"] }""", StringComparison.Ordinal)
            .Replace("""["a.rahman", "m.garcia"], "kinds": ["code_blue"]""", """["j.smith"], "kinds": ["code_blue", "staff_emergency"]""", StringComparison.Ordinal);
        var secondFile = Path.Combine(_folder, "second.json");
        await File.WriteAllTextAsync(secondFile, changed);
        var secondSecrets = Path.Combine(_folder, "second.tsv");

        var (exitCode, output) = await ImportAsync(secondFile, secondSecrets);

        exitCode.Should().Be(0, output);
        output.Should().Contain("floors 0 added, 2 updated, wards 0 added, 2 updated, rooms 0 added, 0 updated, beds 1 added, 0 updated, " +
                                "stations 0 added, 0 updated, staff 0 added, 5 updated, teams 0 added, 1 updated, lines 0 added, 1 updated");
        (await CountsAsync()).Should().Be((2L, 2L, 3L, 6L, 6L, 3L, 5L), "nothing is doubled");
        (await TeamsAsync(conn)).Should().Equal([("Code team", "j.smith", "code_blue,staff_emergency")], "the file says who is on the team now");
        ReadSecrets(secondSecrets).Should().ContainSingle().Which.Should().Match<SecretLine>(s => s.Kind == "bed-key" && s.Name == "Cardiology / c11 / C");
        (await conn.QuerySingleAsync<(string, string, string)>("""
            SELECT s.display_name, w.name, s.password_hash FROM staff s JOIN wards w ON w.id = s.ward_id WHERE s.username = 'j.smith'
            """)).Should().Be(("Jon Smith", "Cardiology", smithsPassword), "an import never changes a password");
    }

    [Fact]
    public async Task ALineAddressOfABedThatIsNowhereIsRefusedAndNothingIsImported()
    {
        var badFile = Path.Combine(_folder, "bad-line.json");
        await File.WriteAllTextAsync(badFile, File.ReadAllText(s_example)
            .Replace("\"room\": \"C11\", \"bed\": \"A\"", "\"room\": \"C12\", \"bed\": \"A\"", StringComparison.Ordinal)
            .Replace("\"contains\": \"CANCEL\", \"cancel\": true", "\"contains\": \"CANCEL\", \"kind\": \"trouble\"", StringComparison.Ordinal));
        var secretsFile = Path.Combine(_folder, "bad-line.tsv");

        var (exitCode, output) = await ImportAsync(badFile, secretsFile);

        exitCode.Should().Be(1);
        output.Should().Contain("lines[0].texts[1].kind: 'trouble' is not one of", "a trouble call is raised by the system, not by a line");
        File.Exists(secretsFile).Should().BeFalse();

        await File.WriteAllTextAsync(badFile, File.ReadAllText(s_example)
            .Replace("\"room\": \"C11\", \"bed\": \"A\"", "\"room\": \"C12\", \"bed\": \"A\"", StringComparison.Ordinal));
        (exitCode, output) = await ImportAsync(badFile, secretsFile);

        exitCode.Should().Be(1);
        output.Should().Contain("lines[0].addresses[3]: there is no bed 'A' in room 'C12' of ward 'Cardiology' in the file or the database.");
        File.Exists(secretsFile).Should().BeFalse();
        (await CountsAsync()).Should().Be((0L, 0L, 0L, 0L, 0L, 0L, 0L), "a file with any problem changes nothing");
    }

    [Fact]
    public async Task AFileWithAnyProblemChangesNothingAndSaysEveryProblem()
    {
        var badFile = Path.Combine(_folder, "bad.json");
        await File.WriteAllTextAsync(badFile, File.ReadAllText(s_example)
            .Replace("\"ward\": \"Cardiology\" }", "\"ward\": \"Oncology\" }", StringComparison.Ordinal)
            .Replace("\"role\": \"admin\"", "\"role\": \"administrator\"", StringComparison.Ordinal));
        var secretsFile = Path.Combine(_folder, "bad.tsv");

        var (exitCode, output) = await ImportAsync(badFile, secretsFile);

        exitCode.Should().Be(1);
        output.Should().Contain("nothing was imported").And.Contain("staff[4].role: 'administrator' is not one of nurse, manager, admin.");
        File.Exists(secretsFile).Should().BeFalse();

        // Fixed, but a ward that exists nowhere: found against the database, still nothing written.
        await File.WriteAllTextAsync(badFile, File.ReadAllText(s_example)
            .Replace("\"ward\": \"Cardiology\" }", "\"ward\": \"Oncology\" }", StringComparison.Ordinal)
            .Replace("\"m.garcia\"]", "\"m.garcia\", \"nobody\"]", StringComparison.Ordinal));
        (exitCode, output) = await ImportAsync(badFile, secretsFile);

        exitCode.Should().Be(1);
        output.Should().Contain("staff[2].ward: there is no ward 'Oncology' in the file or the database.")
            .And.Contain("staff[3].ward: there is no ward 'Oncology'")
            .And.Contain("teams[0].members[2]: there is no staff member 'nobody' in the file or the database.");
        (await CountsAsync()).Should().Be((0L, 0L, 0L, 0L, 0L, 0L, 0L));
        File.Exists(secretsFile).Should().BeFalse();

        // A secrets file that exists already may hold secrets not handed out yet: never overwritten.
        await File.WriteAllTextAsync(secretsFile, "earlier secrets");
        (exitCode, output) = await ImportAsync(s_example, secretsFile);

        exitCode.Should().Be(1);
        output.Should().Contain("exists already");
        (await File.ReadAllTextAsync(secretsFile)).Should().Be("earlier secrets");
        (await CountsAsync()).Should().Be((0L, 0L, 0L, 0L, 0L, 0L, 0L));
    }

    [Fact]
    public async Task TheExampleRosterLoadsIntoTheExampleHospital()
    {
        (await ImportAsync(s_example, Path.Combine(_folder, "secrets.tsv"))).ExitCode.Should().Be(0);

        var (exitCode, output) = await ServerAsync("hospital", "roster", Path.Combine(Repository.Root, "deploy", "roster.example.json"));

        exitCode.Should().Be(0, output);
        output.Should().Contain("1 shifts, 8 bed assignments (replacing 0 of the same shifts)");
        await using var conn = await _database.DataSource.OpenConnectionAsync();
        (await conn.QueryAsync<(string, string, bool)>("""
            SELECT s.username, CONCAT(r.name, b.label), a.is_primary FROM bed_assignments a
            JOIN staff s ON s.id = a.staff_id JOIN beds b ON b.id = a.bed_id JOIN rooms r ON r.id = b.room_id
            WHERE a.starts_at = '2026-12-01 07:00:00' AND a.ends_at = '2026-12-01 19:00:00' AND a.is_primary = 1
            ORDER BY r.name, b.label
            """)).Should().Equal(("m.garcia", "C11A", true), ("m.garcia", "C11B", true), ("a.rahman", "E01A", true), ("a.rahman", "E01B", true),
                                 ("j.smith", "E02A", true));
    }

    /// <summary>The server binary's verb, as a deployment runs it.</summary>
    private Task<(int ExitCode, string Output)> ImportAsync(string hospitalFile, string secretsFile) =>
        ServerAsync("hospital", "import", hospitalFile, secretsFile);

    private Task<(int ExitCode, string Output)> ServerAsync(params string[] arguments)
    {
        var bin = Path.Combine(Repository.Root, "src", "Dispatch.Server", "bin", Repository.Configuration, "net10.0");
        return ExternalProcess.RunAsync("dotnet", bin, new Dictionary<string, string> { ["Database__ConnectionString"] = _database.ConnectionString },
            [Path.Combine(bin, "Dispatch.Server.dll"), .. arguments]);
    }

    private async Task<(long Floors, long Wards, long Rooms, long Beds, long BedDevices, long Stations, long Staff)> CountsAsync()
    {
        await using var conn = await _database.DataSource.OpenConnectionAsync();
        return await conn.QuerySingleAsync<(long, long, long, long, long, long, long)>("""
            SELECT (SELECT COUNT(*) FROM floors), (SELECT COUNT(*) FROM wards), (SELECT COUNT(*) FROM rooms), (SELECT COUNT(*) FROM beds),
                   (SELECT COUNT(*) FROM devices WHERE kind = 'bed'), (SELECT COUNT(*) FROM devices WHERE kind = 'station'),
                   (SELECT COUNT(*) FROM staff)
            """);
    }

    private static async Task<IReadOnlyList<(string, string, string)>> TeamsAsync(MySqlConnector.MySqlConnection conn) =>
        [.. await conn.QueryAsync<(string, string, string)>("""
            SELECT t.name,
                   (SELECT GROUP_CONCAT(s.username ORDER BY s.username) FROM team_members m JOIN staff s ON s.id = m.staff_id WHERE m.team_id = t.id),
                   (SELECT GROUP_CONCAT(k.kind ORDER BY k.kind) FROM team_kinds k WHERE k.team_id = t.id)
            FROM teams t ORDER BY t.name
            """)];

    private static List<SecretLine> ReadSecrets(string path) =>
        [.. File.ReadAllLines(path).Where(l => !l.StartsWith('#')).Select(l => l.Split('\t'))
            .Select(p => new SecretLine(p[0], int.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture), p[2], p[3]))];
}
