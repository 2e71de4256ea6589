using System.Net;
using System.Net.Http.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class KpiTests(DispatchFixture fixture)
{
    /// <summary>
    /// Four calls in a past hour with hand-set times, so every figure can be worked out by hand:
    /// acknowledged after 10, 20, 30, 40 s (p50 20, p90 40, mean 25); nurses arrived after 60 and
    /// 120 s (p50 60, p90 120, mean 90); one escalated (0.25); first assignments 3 and 1 (mean 2,
    /// standard deviation 1: 0.5); one nurse signed in 2 min before her shift, the other 7 min after
    /// (within 5 min: 0.5, within 10: 1); first shown on a screen after 0.5 and 1.5 s (p50 0.5, p90 1.5);
    /// 40 hub connections opened and 1 dropped in the hour (0.025).
    /// </summary>
    [Fact]
    public async Task TheKpisOfAPastHourMatchTheFiguresWorkedOutByHand()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 4);
        var (a, b) = (ward.Nurses[0], ward.Nurses[1]);
        var calls = new List<long>();
        for (var i = 0; i < 4; i++)
        {
            calls.Add((await fixture.RaiseCallAsync(ward.Beds[i])).Id);
        }
        var hour = new DateTime(2026, 1, 5, 10, 0, 0, DateTimeKind.Utc);
        await using (var conn = await fixture.DataSource.OpenConnectionAsync())
        {
            for (var i = 0; i < 4; i++)
            {
                await conn.ExecuteAsync("""
                    UPDATE calls SET created_at = @Created, accepted_at = @Created + INTERVAL @Ack SECOND,
                           first_presence_at = CASE WHEN @Arrive IS NULL THEN NULL ELSE @Created + INTERVAL @Arrive SECOND END,
                           escalation_level = @Level, first_assigned_staff_id = @Assignee
                    WHERE id = @Id
                    """, new
                {
                    Id = calls[i],
                    Created = hour.AddMinutes(10 + i),
                    Ack = 10 * (i + 1),
                    Arrive = i switch { 0 => 60, 1 => 120, _ => (int?)null },
                    Level = i == 3 ? 1 : 0,
                    Assignee = i < 3 ? a.StaffId : b.StaffId,
                });
            }
            // First displays 0.5 s and 1.5 s after two of the calls (a later second receipt does not count).
            const long sessionId = 1_000_001;
            foreach (var (call, after) in new[] { (calls[0], 0.5), (calls[1], 1.5) })
            {
                await conn.ExecuteAsync("INSERT INTO call_displays (call_id, session_id, displayed_at) VALUES (@Call, @Session, @At), (@Call, @Session + 1, @Later)",
                    new { Call = call, Session = sessionId, At = hour.AddMinutes(10 + calls.IndexOf(call)).AddSeconds(after), Later = hour.AddMinutes(20) });
            }
            // 40 connections opened in the hour, 1 dropped (0.025); the next hour is outside the window.
            await conn.ExecuteAsync("""
                INSERT INTO connection_counts (node_name, hour, opened, dropped)
                VALUES ('kpi-test-a', @Hour, 30, 1), ('kpi-test-b', @Hour, 10, 0), ('kpi-test-a', @Hour + INTERVAL 1 HOUR, 100, 50)
                """, new { Hour = hour });
            foreach (var (nurse, signedIn) in new[] { (a, hour.AddMinutes(-2)), (b, hour.AddMinutes(7)) })
            {
                await conn.ExecuteAsync("""
                    INSERT INTO bed_assignments (bed_id, staff_id, is_primary, starts_at, ends_at) VALUES (@BedId, @StaffId, 1, @Start, @Start + INTERVAL 12 HOUR);
                    INSERT INTO sessions (staff_id, token_hash, created_at, expires_at) VALUES (@StaffId, RANDOM_BYTES(32), @SignedIn, @SignedIn + INTERVAL 12 HOUR);
                    """, new { ward.Beds[0].BedId, nurse.StaffId, Start = hour, SignedIn = signedIn });
            }
        }
        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId));

        using var response = await fixture.SendAsync(HttpMethod.Get, $"/api/kpis?ward={ward.WardId}&from=2026-01-05T10:00:00Z&to=2026-01-05T11:00:00Z", manager);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var report = (await response.Content.ReadFromJsonAsync<KpiReport>())!;

        report.Calls.Should().Be(4);
        var kpis = report.Kpis.ToDictionary(k => k.Name);
        kpis["acknowledgement_time"].Should().BeEquivalentTo(new { Count = 4L, P50 = 20.0, P90 = 40.0, Mean = 25.0, Target = 60.0, Breach = 90.0, Status = "ok" });
        kpis["arrival_time"].Should().BeEquivalentTo(new { Count = 2L, P50 = 60.0, P90 = 120.0, Mean = 90.0, Status = "ok" });
        kpis["escalation_rate"].Should().BeEquivalentTo(new { Value = 0.25, Status = "breach" }, "0.25 is over the 0.15 breach level");
        kpis["fairness_deviation"].Should().BeEquivalentTo(new { Value = 0.5, Status = "breach" });
        kpis["nurses_active_within_5_min"].Should().BeEquivalentTo(new { Count = 2L, Value = 0.5, Status = "breach" });
        kpis["nurses_active_within_10_min"].Should().BeEquivalentTo(new { Count = 2L, Value = 1.0, Status = "ok" });
        kpis["connection_drop_rate"].Should().BeEquivalentTo(new { Count = 40L, Value = 0.025, Status = "watch" });
        kpis["event_delivery_latency"].Should().BeEquivalentTo(new { Count = 2L, P50 = 0.5, P90 = 1.5, Mean = 1.0, Status = "watch" },
            "from commit to the first screen: 0.5 s and 1.5 s; p90 1.5 s is past the 1 s target, within the 5 s breach");
    }

    [Fact]
    public async Task EachNodeCountsTheHubConnectionsItOpensForTheDropRate()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        const string Opened = "SELECT COALESCE(SUM(opened), 0) FROM connection_counts WHERE hour >= DATE_FORMAT(NOW(), '%Y-%m-%d %H:00:00') - INTERVAL 1 HOUR";
        var before = await conn.ExecuteScalarAsync<long>(Opened);

        await using (var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId))
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (await conn.ExecuteScalarAsync<long>(Opened) == before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }

        (await conn.ExecuteScalarAsync<long>(Opened)).Should().BeGreaterThan(before, "the node adds its opened connections at each heartbeat");
    }

    [Fact]
    public async Task NursesMayNotReadKpisAndAnInvertedWindowIsA400()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var nurse = await fixture.LoginAsync(ward.Nurses[0]);
        (await fixture.SendAsync(HttpMethod.Get, "/api/kpis", nurse)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        (await fixture.SendAsync(HttpMethod.Get, "/api/kpis?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", admin)).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task PresenceAtTheBedRecordsTheArrivalOfEveryOpenCallIncludingACodeBlue()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var code = await fixture.RaiseCallAsync(ward.Beds[0], Dispatch.Contracts.CallKinds.CodeBlue);

        (await fixture.SendAsync(HttpMethod.Post, $"/api/beds/{ward.Beds[0].BedId}/presence", body: new { staffId = ward.Nurses[0].StaffId }, deviceKey: ward.Beds[0].DeviceKey))
            .StatusCode.Should().Be(HttpStatusCode.OK);

        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        var row = await conn.QuerySingleAsync<(string Status, DateTime? FirstPresenceAt, int? FirstAssignee)>(
            "SELECT status, first_presence_at, first_assigned_staff_id FROM calls WHERE id = @Id", new { code.Id });
        row.Status.Should().Be("open", "presence does not clear a code blue");
        row.FirstPresenceAt.Should().NotBeNull("the nurse's arrival counts for the arrival-time KPI");
        row.FirstAssignee.Should().Be(code.AssignedStaffId);
    }
}
