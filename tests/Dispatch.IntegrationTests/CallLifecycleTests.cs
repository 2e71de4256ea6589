using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class CallLifecycleTests(DispatchFixture fixture)
{
    [Fact]
    public async Task CallRaisedAtBedIsAssignedToTheBedsNurseAndReachesEveryStationOfTheWardInOrder()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 3, beds: 2);
        var bed = ward.Beds[1];
        await fixture.Hospital().AssignBedAsync(bed, ward.Nurses[2], isPrimary: true);
        await fixture.Hospital().AssignBedAsync(bed, ward.Nurses[1], isPrimary: false);
        await using var stationA = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        await using var stationB = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[1]), ward.WardId);

        var first = await fixture.RaiseCallAsync(bed, CallKinds.Normal);
        var second = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Bath);

        first.AssignedStaffId.Should().Be(ward.Nurses[2].StaffId, "the bed's primary nurse is on duty");
        foreach (var station in new[] { stationA, stationB })
        {
            await station.WaitForAsync(e => e.CallId == second.Id, $"the raise of call {second.Id}");
            station.Events.Select(e => (e.Type, e.CallId, e.Seq)).Should().Equal(
                (EventTypes.CallRaised, first.Id, station.Snapshot.Seq + 1),
                (EventTypes.CallRaised, second.Id, station.Snapshot.Seq + 2));
            station.Events[0].Call!.AssignedStaffId.Should().Be(ward.Nurses[2].StaffId);
        }
    }

    [Fact]
    public async Task WithTheBedsNursesOffDutyTheCallGoesToTheNurseWithFewestOpenCallsThenLeastRecentlyAssigned()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 4, beds: 2);
        var (primary, busy, idleEarlier, idleLater) = (ward.Nurses[0], ward.Nurses[1], ward.Nurses[2], ward.Nurses[3]);
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], primary, isPrimary: true);
        await fixture.Hospital().AssignBedAsync(ward.Beds[1], busy, isPrimary: true);
        var busyCall = await fixture.RaiseCallAsync(ward.Beds[1], CallKinds.Normal);
        busyCall.AssignedStaffId.Should().Be(busy.StaffId);
        await fixture.Hospital().SetOnDutyAsync(primary, onDuty: false);
        await fixture.ExecuteAsync("UPDATE staff SET last_assigned_at = NOW(3) - INTERVAL 2 HOUR WHERE id = @StaffId", idleEarlier);
        await fixture.ExecuteAsync("UPDATE staff SET last_assigned_at = NOW(3) - INTERVAL 1 HOUR WHERE id = @StaffId", idleLater);

        var call = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Normal);
        var next = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Bath);

        call.AssignedStaffId.Should().Be(idleEarlier.StaffId, "the primary nurse is off duty, 'busy' has an open call, and of the idle two this one was assigned longest ago");
        next.AssignedStaffId.Should().Be(idleLater.StaffId, "now every other on-duty nurse has one open call and this one was assigned longest ago");
    }

    [Fact]
    public async Task AcknowledgeThenPresenceClearsTheCallOnEveryStationWithAnAuditRowPerStep()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        var nurse = ward.Nurses[0];
        var token = await fixture.LoginAsync(nurse);
        await using var stationA = await StationProbe.SubscribeAsync(fixture.BaseAddress, token, ward.WardId);
        await using var stationB = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[1]), ward.WardId);

        var call = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Normal);
        var accepted = await stationA.Connection.InvokeAsync<CallView>(DispatchHubMethods.Acknowledge, call.Id);
        accepted.Status.Should().Be("accepted");
        var presence = await fixture.SendAsync(HttpMethod.Post, $"/api/beds/{ward.Beds[0].BedId}/presence",
            body: new PresenceRequest(nurse.StaffId), deviceKey: ward.Beds[0].DeviceKey);
        presence.StatusCode.Should().Be(HttpStatusCode.OK);
        (await presence.Content.ReadFromJsonAsync<PresenceResult>())!.Resolved.Should().ContainSingle(c => c.Id == call.Id);

        foreach (var station in new[] { stationA, stationB })
        {
            await station.WaitForAsync(e => e.Type == EventTypes.CallResolved && e.CallId == call.Id, "the resolution");
            station.Events.Select(e => e.Type).Should().Equal(EventTypes.CallRaised, EventTypes.CallAccepted, EventTypes.CallResolved);
            station.Events.Select(e => e.Seq).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        }
        var open = await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", token);
        (await open.Content.ReadFromJsonAsync<List<CallView>>()).Should().BeEmpty();
        var audit = await fixture.QueryAsync<string>("SELECT action FROM audit_log WHERE call_id = @Id ORDER BY id", call);
        audit.Should().Equal("call_raised", "call_accepted", "call_resolved");
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'nurse_presence' AND detail LIKE @d",
            new { d = $"staff {nurse.StaffId} at bed {ward.Beds[0].BedId}%" })).Should().Be(1);
    }

    [Fact]
    public async Task ABrowserCannotClearACodeBlueAndPresenceLeavesItOpenNamingWhoIsInTheRoomUntilTheBedDeviceClearsIt()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var nurse = ward.Nurses[0];
        var token = await fixture.LoginAsync(nurse);
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, token, ward.WardId);
        var call = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.CodeBlue);

        var fromBrowser = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/cancel", token);
        var presence = await fixture.SendAsync(HttpMethod.Post, $"/api/beds/{ward.Beds[0].BedId}/presence",
            body: new PresenceRequest(nurse.StaffId), deviceKey: ward.Beds[0].DeviceKey);

        fromBrowser.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await presence.Content.ReadFromJsonAsync<PresenceResult>())!.StillOpen.Should().ContainSingle(c => c.Id == call.Id);
        (await fixture.ScalarAsync<string>("SELECT status FROM calls WHERE id = @Id", call)).Should().Be("open");
        var present = await station.WaitForAsync(e => e.Type == EventTypes.NursePresent && e.CallId == call.Id, "who is in the room");
        present.Call!.Status.Should().Be("open");
        present.Call.PresentStaffName.Should().NotBeNullOrEmpty();
        present.Call.PresentSince.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));

        var atBedside = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/cancel", deviceKey: ward.Beds[0].DeviceKey);
        atBedside.StatusCode.Should().Be(HttpStatusCode.OK);
        (await atBedside.Content.ReadFromJsonAsync<CallView>())!.Status.Should().Be("resolved");
    }

    [Fact]
    public async Task RejectEscalatesAtOnceToAnotherNurseWhenNoOtherFloorHasOne()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], ward.Nurses[0], isPrimary: true);
        var call = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Normal);

        var rejected = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/reject", await fixture.LoginAsync(ward.Nurses[0]));

        rejected.StatusCode.Should().Be(HttpStatusCode.OK);
        (await rejected.Content.ReadFromJsonAsync<CallView>())!.AssignedStaffId.Should().Be(ward.Nurses[1].StaffId);
        (await fixture.QueryAsync<string>("SELECT action FROM audit_log WHERE call_id = @Id ORDER BY id", call))
            .Should().Equal("call_raised", "call_rejected", "escalation_l1");
    }

    [Fact]
    public async Task APatientNonceRaisesOneCallAndIsRejectedWhenReused()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var bed = ward.Beds[0];
        var issued = await fixture.SendAsync(HttpMethod.Post, $"/api/beds/{bed.BedId}/patient-sessions", await fixture.LoginAsync(ward.Nurses[0]));
        var nonce = (await issued.Content.ReadFromJsonAsync<PatientSession>())!.Nonce;

        var firstUse = await fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new RaiseCallRequest(bed.BedId, CallKinds.Normal, nonce));
        var reuse = await fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new RaiseCallRequest(bed.BedId, CallKinds.Normal, nonce));

        firstUse.StatusCode.Should().Be(HttpStatusCode.Created);
        reuse.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await reuse.Content.ReadAsStringAsync()).Should().Contain("already been used");
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM calls WHERE bed_id = @BedId", bed)).Should().Be(1);
    }

    [Fact]
    public async Task AnExpiredNonceIsRejectedAndAPatientCannotRaiseACodeBlue()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var bed = ward.Beds[0];
        var token = await fixture.LoginAsync(ward.Nurses[0]);
        var expired = (await (await fixture.SendAsync(HttpMethod.Post, $"/api/beds/{bed.BedId}/patient-sessions", token))
            .Content.ReadFromJsonAsync<PatientSession>())!.Nonce;
        await fixture.ExecuteAsync("UPDATE patient_sessions SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE bed_id = @BedId", bed);
        var fresh = (await (await fixture.SendAsync(HttpMethod.Post, $"/api/beds/{bed.BedId}/patient-sessions", token))
            .Content.ReadFromJsonAsync<PatientSession>())!.Nonce;

        var withExpired = await fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new RaiseCallRequest(bed.BedId, CallKinds.Normal, expired));
        var codeBlue = await fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new RaiseCallRequest(bed.BedId, CallKinds.CodeBlue, fresh));

        withExpired.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        codeBlue.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM calls WHERE bed_id = @BedId", bed)).Should().Be(0);
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM patient_sessions WHERE bed_id = @BedId AND is_used = 1", bed))
            .Should().Be(0, "a refused raise spends no nonce");
    }

    [Fact]
    public async Task AWardsOpenCallsAreListedMostUrgentFirstThenOldestFirst()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 3);
        var oldNormal = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Normal);
        var bath = await fixture.RaiseCallAsync(ward.Beds[1], CallKinds.Bath);
        var newNormal = await fixture.RaiseCallAsync(ward.Beds[2], CallKinds.Normal);
        var codeBlue = await fixture.RaiseCallAsync(ward.Beds[2], CallKinds.CodeBlue);

        var list = await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", await fixture.LoginAsync(ward.Nurses[0]));

        (await list.Content.ReadFromJsonAsync<List<CallView>>())!.Select(c => c.Id)
            .Should().Equal(codeBlue.Id, bath.Id, oldNormal.Id, newNormal.Id);
    }
}
