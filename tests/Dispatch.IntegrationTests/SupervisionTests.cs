using System.Collections.Concurrent;
using Dapper;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class SupervisionTests(DispatchFixture fixture)
{
    [Fact]
    public async Task AWardWithAnOpenCallAndNoStationIsReportedOnceToItsManagerAndAWatchedWardIsNot()
    {
        var hospital = fixture.Hospital();
        var unwatched = await hospital.WardAsync(nurses: 1, beds: 1, department: "Supervised");
        var watched = await hospital.WardAsync(nurses: 1, beds: 1, department: "Supervised");
        var manager = await hospital.StaffAsync(StaffUser.Manager, unwatched.WardId);
        var alerts = new ConcurrentQueue<WardAlert>();
        await using var managerStation = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(manager));
        managerStation.WardUnwatched += alerts.Enqueue;
        await managerStation.StartAsync();
        await using var nurseStation = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(watched.Nurses[0]));
        await nurseStation.StartAsync();
        await nurseStation.SubscribeAsync(watched.WardId);
        await using (var conn = await fixture.DataSource.OpenConnectionAsync())
        {
            // The node reports its stations per ward with its heartbeat (every second here).
            var seen = DateTime.UtcNow.AddSeconds(10);
            while (await conn.ExecuteScalarAsync<long>("""
                SELECT COUNT(*) FROM node_heartbeats h,
                  JSON_TABLE(h.ward_stations, '$[*]' COLUMNS (ward_id INT PATH '$.w')) ws
                WHERE ws.ward_id = @WardId
                """, new { watched.WardId }) == 0 && DateTime.UtcNow < seen)
            {
                await Task.Delay(100);
            }
        }

        await fixture.RaiseCallAsync(unwatched.Beds[0]);
        await fixture.RaiseCallAsync(watched.Beds[0]);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!alerts.Any(a => a.WardId == unwatched.WardId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        // Several checks pass meanwhile (every second here): the ward is reported once per repeat interval, not at each.
        await Task.Delay(TimeSpan.FromSeconds(3));

        alerts.Where(a => a.WardId == unwatched.WardId).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { OpenCalls = 1L }, o => o.ExcludingMissingMembers());
        alerts.Should().NotContain(a => a.WardId == watched.WardId, "a station of that ward is connected");
        await using var check = await fixture.DataSource.OpenConnectionAsync();
        (await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'ward_unwatched' AND detail LIKE @Ward",
            new { Ward = $"Ward {await check.ExecuteScalarAsync<string>("SELECT name FROM wards WHERE id = @WardId", new { unwatched.WardId })} %" }))
            .Should().Be(1);
    }
}
