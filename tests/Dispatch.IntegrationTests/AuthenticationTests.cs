using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Net.WebSockets;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class AuthenticationTests(DispatchFixture fixture)
{
    [Fact]
    public async Task AnUnauthenticatedHubConnectionIsRefused()
    {
        await using var anonymous = StationProbe.Connect(fixture.BaseAddress, token: null);
        await using var forged = StationProbe.Connect(fixture.BaseAddress, token: Secrets.NewToken());

        // The stations connect straight over WebSockets, so the refusal is the upgrade answered 401.
        await anonymous.Invoking(c => c.StartAsync()).Should().ThrowAsync<WebSocketException>().WithMessage("*'401'*");
        await forged.Invoking(c => c.StartAsync()).Should().ThrowAsync<WebSocketException>().WithMessage("*'401'*");

        // A client that negotiates first is refused there, as a problem like every other 401.
        foreach (var token in new[] { null, Secrets.NewToken() })
        {
            using var negotiate = await fixture.SendAsync(HttpMethod.Post, "/hubs/dispatch/negotiate?negotiateVersion=1", token);
            negotiate.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            negotiate.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await negotiate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().Should().Be("unauthorized");
        }
    }

    [Fact]
    public async Task LoginWithAWrongPasswordIsRefusedAndARightOneGivesAWorkingToken()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var nurse = ward.Nurses[0];

        var wrong = await fixture.SendAsync(HttpMethod.Post, "/api/sessions", body: new LoginRequest(nurse.Username, "wrong password"));
        var right = await fixture.SendAsync(HttpMethod.Post, "/api/sessions", body: new LoginRequest(nurse.Username, nurse.Password));

        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        right.StatusCode.Should().Be(HttpStatusCode.OK);
        var login = (await right.Content.ReadFromJsonAsync<LoginResponse>())!;
        login.StaffId.Should().Be(nurse.StaffId);
        login.WardId.Should().Be(ward.WardId);
        login.ExpiresAt.Should().BeAfter(DateTimeOffset.UtcNow.AddHours(13));
        (await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", login.Token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await fixture.ScalarAsync<byte[]>("SELECT token_hash FROM sessions WHERE staff_id = @StaffId", nurse))
            .Should().Equal(Secrets.Hash(login.Token), "only the token's hash is stored");
    }

    [Fact]
    public async Task ALoggedOutOrRevokedSessionIsRefusedOnItsNextRequestAndHubConnection()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var loggedOut = await fixture.LoginAsync(ward.Nurses[0]);
        var revoked = await fixture.LoginAsync(ward.Nurses[0]);
        var sessionId = await fixture.ScalarAsync<long>("SELECT MAX(id) FROM sessions WHERE staff_id = @StaffId", ward.Nurses[0]);

        (await fixture.SendAsync(HttpMethod.Delete, "/api/sessions/current", loggedOut)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/sessions/{sessionId}/revoke", admin)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        foreach (var token in new[] { loggedOut, revoked })
        {
            (await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
            await using var station = StationProbe.Connect(fixture.BaseAddress, token);
            await station.Invoking(c => c.StartAsync()).Should().ThrowAsync<WebSocketException>().WithMessage("*'401'*");
        }
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'session_revoked' AND detail = @d",
            new { d = $"session {sessionId}" })).Should().Be(1);
    }

    [Fact]
    public async Task OnlyAnAdminMayRevokeSessionsAndRevokingAllOfANursesSessionsEndsThemAll()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 0);
        var nurse = ward.Nurses[0];
        var sessions = new[] { await fixture.LoginAsync(nurse), await fixture.LoginAsync(nurse) };
        var colleague = await fixture.LoginAsync(ward.Nurses[1]);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));

        (await fixture.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/sessions/revoke", colleague)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var revoked = await fixture.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/sessions/revoke", admin);

        (await revoked.Content.ReadFromJsonAsync<int>()).Should().Be(2);
        foreach (var token in sessions)
        {
            (await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        (await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", colleague)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task GoingOffDutyTakesANurseOutOfAssignment()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        var (leaving, staying) = (ward.Nurses[0], ward.Nurses[1]);
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], leaving, isPrimary: true);

        var duty = await fixture.SendAsync(HttpMethod.Put, "/api/staff/me/duty", await fixture.LoginAsync(leaving), new DutyRequest(OnDuty: false));
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);

        duty.StatusCode.Should().Be(HttpStatusCode.NoContent);
        call.AssignedStaffId.Should().Be(staying.StaffId);
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'duty_off' AND actor_id = @StaffId", leaving)).Should().Be(1);
    }

    [Fact]
    public async Task AnExpiredSessionIsRefused()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var token = await fixture.LoginAsync(ward.Nurses[0]);
        await fixture.ExecuteAsync("UPDATE sessions SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE staff_id = @StaffId", ward.Nurses[0]);

        var response = await fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", token);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
