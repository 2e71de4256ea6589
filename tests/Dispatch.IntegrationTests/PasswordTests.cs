using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

/// <summary>Staff change their own password; an administrator resets a forgotten one.</summary>
[Collection(DispatchCollection.Name)]
public sealed class PasswordTests(DispatchFixture fixture)
{
    [Fact]
    public async Task ANurseChangesHerPasswordTheOldOneStopsWorkingAndHerOtherSessionsEnd()
    {
        var nurse = (await fixture.Hospital().WardAsync(nurses: 1, beds: 0)).Nurses[0];
        var here = await fixture.LoginAsync(nurse);
        var elsewhere = await fixture.LoginAsync(nurse);
        const string newPassword = "a new password of hers";

        var changed = await fixture.SendAsync(HttpMethod.Put, "/api/staff/me/password", here, new ChangePasswordRequest(nurse.Password, newPassword));

        changed.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await LoginStatusAsync(nurse.Username, nurse.Password)).Should().Be(HttpStatusCode.Unauthorized, "the old password no longer signs in");
        (await LoginStatusAsync(nurse.Username, newPassword)).Should().Be(HttpStatusCode.OK);
        (await fixture.SendAsync(HttpMethod.Get, "/api/staff/me/calls", here)).StatusCode.Should().Be(HttpStatusCode.OK, "the session she changed it from goes on");
        (await fixture.SendAsync(HttpMethod.Get, "/api/staff/me/calls", elsewhere)).StatusCode.Should().Be(HttpStatusCode.Unauthorized,
            "a session held elsewhere, perhaps by someone else, ends");
        (await fixture.ScalarAsync<string>("SELECT detail FROM audit_log WHERE action = 'password_changed' AND actor_id = @StaffId", nurse))
            .Should().Be("1 other sessions ended");
    }

    [Theory]
    [InlineData(null, "a new password of hers", HttpStatusCode.BadRequest, "Send currentPassword and a newPassword of 12 to 256 characters.")]
    [InlineData("CURRENT", "too short", HttpStatusCode.BadRequest, "Send currentPassword and a newPassword of 12 to 256 characters.")]
    [InlineData("CURRENT", "CURRENT", HttpStatusCode.BadRequest, "The new password is the current one.")]
    [InlineData("a wrong password", "a new password of hers", HttpStatusCode.Forbidden, "The current password is wrong; nothing was changed.")]
    public async Task ABadChangeIsRefusedWithItsReasonAndTheOldPasswordStillWorks(string? current, string replacement, HttpStatusCode status, string reason)
    {
        var nurse = (await fixture.Hospital().WardAsync(nurses: 1, beds: 0)).Nurses[0];
        var token = await fixture.LoginAsync(nurse);
        var request = new ChangePasswordRequest(current == "CURRENT" ? nurse.Password : current, replacement == "CURRENT" ? nurse.Password : replacement);

        var refused = await fixture.SendAsync(HttpMethod.Put, "/api/staff/me/password", token, request);

        refused.StatusCode.Should().Be(status);
        (await refused.Content.ReadAsStringAsync()).Should().Contain(reason);
        (await LoginStatusAsync(nurse.Username, nurse.Password)).Should().Be(HttpStatusCode.OK);
        (await fixture.SendAsync(HttpMethod.Get, "/api/staff/me/calls", token)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AnAdministratorResetsAForgottenPasswordWhichIsShownOnceAndEndsEverySessionOfThatNurse()
    {
        var nurse = (await fixture.Hospital().WardAsync(nurses: 1, beds: 0)).Nurses[0];
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, wardId: null));
        var nursesSession = await fixture.LoginAsync(nurse);

        (await fixture.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/password", manager)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/password", nursesSession)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await fixture.SendAsync(HttpMethod.Post, "/api/staff/999999999/password", admin)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await LoginStatusAsync(nurse.Username, nurse.Password)).Should().Be(HttpStatusCode.OK, "the refused resets changed nothing");

        var reset = await fixture.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/password", admin);

        reset.StatusCode.Should().Be(HttpStatusCode.OK);
        var password = (await reset.Content.ReadFromJsonAsync<PasswordReset>())!.Password;
        password.Should().HaveLength(16);
        (await LoginStatusAsync(nurse.Username, nurse.Password)).Should().Be(HttpStatusCode.Unauthorized);
        (await LoginStatusAsync(nurse.Username, password)).Should().Be(HttpStatusCode.OK);
        (await fixture.SendAsync(HttpMethod.Get, "/api/staff/me/calls", nursesSession)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await fixture.ScalarAsync<string>("SELECT password_hash FROM staff WHERE id = @StaffId", nurse)).Should().NotContain(password, "only a hash is stored");
    }

    private async Task<HttpStatusCode> LoginStatusAsync(string username, string password) =>
        (await fixture.SendAsync(HttpMethod.Post, "/api/sessions", body: new LoginRequest(username, password))).StatusCode;
}
