using Dapper;
using Dispatch.Testing;
using Dispatch.Server.Admin;

namespace Dispatch.IntegrationTests;

/// <summary>The seed that scripts/run.sh loads, applied to a database of its own.</summary>
public sealed class DemoHospitalSeedTests
{
    [Fact]
    public async Task TheDemoHospitalHasWardsBedsDevicesAndNursesAssignedToBedsForTheCurrentShift()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        var dataSource = database.DataSource;
        var credentials = Path.Combine(Path.GetTempPath(), $"dispatch-demo-{Guid.NewGuid():N}.env");
        try
        {
            await database.Migrations.UpAsync(CancellationToken.None);

            (await DemoHospitalSeed.RunAsync(dataSource, credentials, CancellationToken.None)).Should().Be(0);
            (await DemoHospitalSeed.RunAsync(dataSource, credentials, CancellationToken.None)).Should().Be(0, "a second run leaves the hospital as it is");

            await using var conn = await dataSource.OpenConnectionAsync();
            var counts = await conn.QuerySingleAsync<(long Floors, long Wards, long Beds, long BedDevices, long Stations, long Nurses, long Managers, long Admins)>("""
                SELECT (SELECT COUNT(*) FROM floors), (SELECT COUNT(*) FROM wards), (SELECT COUNT(*) FROM beds),
                       (SELECT COUNT(*) FROM devices WHERE kind = 'bed'), (SELECT COUNT(*) FROM devices WHERE kind = 'station'),
                       (SELECT COUNT(*) FROM staff WHERE role = 'nurse'), (SELECT COUNT(*) FROM staff WHERE role = 'manager'),
                       (SELECT COUNT(*) FROM staff WHERE role = 'admin')
                """);
            counts.Should().Be((3L, 6L, 72L, 72L, 6L, 36L, 4L, 1L), "one station screen per ward, one manager per department");
            (await conn.ExecuteScalarAsync<long>("""
                SELECT COUNT(*) FROM beds b
                WHERE NOT EXISTS (SELECT 1 FROM bed_assignments a JOIN staff s ON s.id = a.staff_id
                                  WHERE a.bed_id = b.id AND a.is_primary = 1 AND s.on_duty = 1
                                    AND a.starts_at <= NOW() AND NOW() < a.ends_at)
                """)).Should().Be(0, "every bed has an on-duty primary nurse for the shift running now");

            var secrets = File.ReadAllLines(credentials).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))
                .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            secrets.Should().ContainKey("DEMO_PASSWORD").And.ContainKey("BED_1_KEY").And.ContainKey("BED_72_KEY").And.ContainKey("STATION_6_KEY")
                .And.ContainKey("LINE_KEY").And.ContainKey("PAGING_KEY");
            (await conn.QueryAsync<(string, int)>("""
                SELECT a.address, a.bed_id FROM line_addresses a JOIN devices d ON d.id = a.line_id
                WHERE d.key_hash = @hash ORDER BY a.bed_id
                """, new { hash = Dispatch.Server.Sessions.Secrets.Hash(secrets["LINE_KEY"]) })).Should().HaveCount(12)
                .And.StartWith(("101A", 1)).And.EndWith(("106B", 12), "the simulated nurse-call system's address of each of ward 1's beds");
            (await conn.ExecuteScalarAsync<string>("SELECT pager FROM staff WHERE username = 'nurse-1-2'")).Should().Be("512");
            (await conn.ExecuteScalarAsync<long?>("SELECT ward_id FROM devices WHERE kind = 'station' AND key_hash = @hash",
                new { hash = Dispatch.Server.Sessions.Secrets.Hash(secrets["STATION_1_KEY"]) })).Should().Be(1, "the file's station key is ward 1's screen");
            (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM devices WHERE key_hash = @hash",
                new { hash = Dispatch.Server.Sessions.Secrets.Hash(secrets["BED_1_KEY"]) })).Should().Be(1, "the file's key is bed 1's");
            (await conn.ExecuteScalarAsync<string>("SELECT password_hash FROM staff WHERE username = 'nurse-1-1'"))
                .Should().Match(h => Dispatch.Server.Sessions.PasswordHasher.Verify(secrets["DEMO_PASSWORD"], h));
        }
        finally
        {
            File.Delete(credentials);
        }
    }
}
