using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Dispatch.Client;
using Dispatch.Server.Audit;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class AuditTests(DispatchFixture fixture)
{
    private static readonly JsonSerializerOptions s_web = new(JsonSerializerDefaults.Web);

    [Fact]
    public async Task ACallsTimelineNamesWhoRaisedShowedAcknowledgedAndResolvedItAndFromWhere()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        await using var station = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]));
        await station.StartAsync();
        await station.SubscribeAsync(ward.WardId);

        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        await station.ConfirmDisplayedAsync([call.Id]);
        await station.AcknowledgeAsync(call.Id);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/cancel", deviceKey: ward.Beds[0].DeviceKey)).EnsureSuccessStatusCode();
        await WaitForReceiptAsync(call.Id);

        var page = await fixture.Http.SendAsync(ServerApi.Request(HttpMethod.Get, $"/api/audit?call={call.Id}", admin));
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        var timeline = (await page.Content.ReadFromJsonAsync<AuditPage>(s_web))!.Entries;
        timeline.Select(e => e.At).Should().BeInAscendingOrder();
        timeline.Select(e => e.Action).Should().Contain(["call_raised", "displayed", "call_accepted", "call_resolved"]);
        var raised = timeline.Single(e => e.Action == "call_raised");
        raised.Should().BeEquivalentTo(new { ActorType = "device", Address = "127.0.0.1" }, o => o.ExcludingMissingMembers());
        raised.Actor.Should().NotBeNullOrEmpty("the device is named");
        timeline.Single(e => e.Action == "displayed").Actor.Should().Be(ward.Nurses[0].Username);
        // The acknowledgement came over the hub: its address is the hub connection's.
        timeline.Single(e => e.Action == "call_accepted").Should().BeEquivalentTo(
            new { ActorType = "staff", Actor = ward.Nurses[0].Username, Address = "127.0.0.1" }, o => o.ExcludingMissingMembers());
        timeline.Single(e => e.Action == "call_resolved").Detail.Should().Be("by device");

        var csv = await fixture.Http.SendAsync(ServerApi.Request(HttpMethod.Get, $"/api/audit?call={call.Id}&format=csv", admin));
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("id,at,action,actor_type,actor_id,actor,call_id,detail,address");
        lines.Should().HaveCount(timeline.Count + 1).And.Contain(l => l.Contains($",call_accepted,staff,{ward.Nurses[0].StaffId},{ward.Nurses[0].Username},{call.Id},,127.0.0.1"));
    }

    [Theory]
    [InlineData("call=999999999", HttpStatusCode.NotFound)]
    [InlineData("call=1&from=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("from=2026-01-01T00:00:00Z&to=2026-03-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("format=xml", HttpStatusCode.BadRequest)]
    [InlineData("call=abc", HttpStatusCode.BadRequest)]
    public async Task AQuestionTheTrailCannotAnswerIsRefusedWithProblemDetails(string query, HttpStatusCode status)
    {
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));

        var response = await fixture.Http.SendAsync(ServerApi.Request(HttpMethod.Get, $"/api/audit?{query}", admin));

        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task OnlyAnAdminReadsTheTrail()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, wardId: ward.WardId));

        (await fixture.SendAsync(HttpMethod.Get, "/api/audit")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await fixture.SendAsync(HttpMethod.Get, "/api/audit", await fixture.LoginAsync(ward.Nurses[0]))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await fixture.SendAsync(HttpMethod.Get, "/api/audit", manager)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task APurgeRemovesTheOldRowsOfResolvedCallsAndKeepsEveryRowOfAnOpenCall()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        await using var station = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]));
        await station.StartAsync();
        await station.SubscribeAsync(ward.WardId);
        var resolved = await fixture.RaiseCallAsync(ward.Beds[0]);
        var open = await fixture.RaiseCallAsync(ward.Beds[1]);
        await station.ConfirmDisplayedAsync([resolved.Id, open.Id]);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{resolved.Id}/cancel", deviceKey: ward.Beds[0].DeviceKey)).EnsureSuccessStatusCode();
        await WaitForReceiptAsync(resolved.Id);
        await WaitForReceiptAsync(open.Id);
        // Both calls, and every row of them, 400 days old; one was resolved then, one is open still.
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        var ids = new { Ids = new[] { resolved.Id, open.Id } };
        await conn.ExecuteAsync("""
            UPDATE calls SET created_at = created_at - INTERVAL 400 DAY, resolved_at = resolved_at - INTERVAL 400 DAY WHERE id IN @Ids;
            UPDATE events SET created_at = created_at - INTERVAL 400 DAY WHERE call_id IN @Ids;
            UPDATE audit_log SET at = at - INTERVAL 400 DAY WHERE call_id IN @Ids;
            UPDATE call_displays SET displayed_at = displayed_at - INTERVAL 400 DAY WHERE call_id IN @Ids;
            """, ids);
        var before = await RowsAsync(conn, open.Id);

        var result = await new AuditRetention(fixture.DataSource).PurgeAsync(olderThanDays: 365, CancellationToken.None);

        (await RowsAsync(conn, resolved.Id)).Should().Be((0, 0, 0), "every row of a call resolved 400 days ago is past a 365-day retention");
        (await RowsAsync(conn, open.Id)).Should().Be(before, "an open call's rows stay, however old");
        before.Events.Should().BePositive();
        before.Receipts.Should().BePositive();
        before.AuditRows.Should().BePositive();
        result.Receipts.Should().BeGreaterThanOrEqualTo(1);
        result.AuditRows.Should().BeGreaterThanOrEqualTo(2);
        var tooShort = () => new AuditRetention(fixture.DataSource).PurgeAsync(olderThanDays: 30, CancellationToken.None);
        await tooShort.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    private static async Task<(long Events, long Receipts, long AuditRows)> RowsAsync(MySqlConnector.MySqlConnection conn, long callId) =>
        await conn.QuerySingleAsync<(long, long, long)>("""
            SELECT (SELECT COUNT(*) FROM events WHERE call_id = @CallId),
                   (SELECT COUNT(*) FROM call_displays WHERE call_id = @CallId),
                   (SELECT COUNT(*) FROM audit_log WHERE call_id = @CallId)
            """, new { CallId = callId });

    /// <summary>Receipts are written by the node in batches; wait (bounded) for this call's.</summary>
    private async Task WaitForReceiptAsync(long callId)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        for (var i = 0; i < 100 && await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM call_displays WHERE call_id = @callId", new { callId }) == 0; i++)
        {
            await Task.Delay(100);
        }
    }
}
