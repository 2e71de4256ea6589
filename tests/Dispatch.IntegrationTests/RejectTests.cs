using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.IntegrationTests;

/// <summary>Who may reject a call: its assignee, once. Rejects cannot send a colleague's call up the ladder.</summary>
[Collection(DispatchCollection.Name)]
public sealed class RejectTests(DispatchFixture fixture)
{
    [Fact]
    public async Task AColleagueCannotRejectACallButMayTakeItOver()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], ward.Nurses[0], isPrimary: true);
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        var colleague = await fixture.LoginAsync(ward.Nurses[1]);
        var before = await fixture.FootprintAsync(ward.WardId);

        using var rejected = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/reject", colleague);

        rejected.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await rejected.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("only its assigned nurse may reject it");
        (await fixture.FootprintAsync(ward.WardId)).Should().Be(before, "a refused reject escalates nothing");
        using var acknowledged = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", colleague);
        acknowledged.StatusCode.Should().Be(HttpStatusCode.OK);
        (await acknowledged.Content.ReadFromJsonAsync<CallView>())!.Status.Should().Be(CallStatuses.Accepted);
    }

    [Fact]
    public async Task TheAssigneesRejectEscalatesOnceAndSheCannotRejectTheCallAgain()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], ward.Nurses[0], isPrimary: true);
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        var assignee = await fixture.LoginAsync(ward.Nurses[0]);

        using var first = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/reject", assignee);
        first.StatusCode.Should().Be(HttpStatusCode.OK);
        var escalated = (await first.Content.ReadFromJsonAsync<CallView>())!;
        escalated.EscalationLevel.Should().Be(1);
        escalated.AssignedStaffId.Should().Be(ward.Nurses[1].StaffId);
        var before = await fixture.FootprintAsync(ward.WardId);

        using var again = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/reject", assignee);

        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
        (await again.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("already rejected");
        (await fixture.FootprintAsync(ward.WardId)).Should().Be(before);
        (await fixture.ScalarAsync<int>("SELECT escalation_level FROM calls WHERE id = @Id", call)).Should().Be(1, "one nurse's rejects move a call one level at most");
    }
}
