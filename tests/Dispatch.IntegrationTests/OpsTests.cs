using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class OpsTests(DispatchFixture fixture)
{
    [Fact]
    public async Task TheSummaryShowsThisNodeAndEachWardsOpenCallsToManagersAndAdminsOnly()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        var nobodyOnDuty = await fixture.Hospital().WardAsync(nurses: 2, beds: 0, allOnDuty: false);
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        await fixture.RaiseCallAsync(ward.Beds[1]);
        var nurse = await fixture.LoginAsync(ward.Nurses[0]);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", nurse)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await fixture.SendAsync(HttpMethod.Get, "/api/ops/summary", nurse)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId));
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/ops/summary", manager);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var summary = (await response.Content.ReadFromJsonAsync<OpsSummary>())!;

        summary.Mode.Should().Be("InProcess");
        summary.Troubles.Should().NotContain(t => t.WardId == ward.WardId, "no device of this ward is in trouble");
        summary.Nodes.Should().Contain(n => n.State == "serving" && n.SeenSecondsAgo <= 10, "this node writes its heartbeat every 5 s");
        summary.Wards.Should().ContainSingle(w => w.WardId == ward.WardId).Which.Should().BeEquivalentTo(new
        {
            OpenCalls = 2L,
            Unacknowledged = 1L,
            RelayLag = (long?)null,
            NursesOnDuty = 1L,
        }, "two calls are open, one of them acknowledged; a single node has no bridge");
        summary.Wards.Should().ContainSingle(w => w.WardId == nobodyOnDuty.WardId).Which.NursesOnDuty.Should().Be(0);
    }
}
