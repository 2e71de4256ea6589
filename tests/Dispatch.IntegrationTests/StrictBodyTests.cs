using System.Net;
using System.Net.Http.Json;
using System.Text;
using Dispatch.Server.Sessions;
using Dispatch.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.IntegrationTests;

/// <summary>
/// Every endpoint that takes a body refuses one that lacks a required field: a 400 that names the
/// field, and nothing saved. No missing property is read as a default (an absent "onDuty" is not
/// "off duty").
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class StrictBodyTests(DispatchFixture fixture)
{
    /// <summary>Each endpoint with a body, the body less one required field, and that field.</summary>
    public static TheoryData<string, string, string, string> Endpoints() => new()
    {
        { "POST", "/api/sessions", """{"username": "nurse"}""", "password" },
        { "PUT", "/api/staff/me/duty", "{}", "onDuty" },
        { "PUT", "/api/staff/me/password", """{"currentPassword": "twelve chars or more"}""", "newPassword" },
        { "POST", "/api/calls", """{"kind": "normal"}""", "bedId" },
        { "POST", "/api/beds/{bed}/presence", "{}", "staffId" },
        { "POST", "/api/devices", """{"kind": "bed", "bedId": 1}""", "name" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task ABodyWithoutARequiredFieldIsA400NamingItAndChangesNothing(string method, string path, string body, string field)
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1, allOnDuty: true);
        var admin = await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        var token = await fixture.LoginAsync(path == "/api/devices" ? admin : ward.Nurses[0]);
        var before = await StateAsync(ward);

        using var request = ServerApi.Request(new HttpMethod(method), path.Replace("{bed}", $"{ward.Beds[0].BedId}", StringComparison.Ordinal),
            token, deviceKey: ward.Beds[0].DeviceKey);
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await fixture.Http.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain($"'{field}'");
        (await StateAsync(ward)).Should().Be(before, "a refused request saves nothing: no call, no audit row, no change of duty");
    }

    /// <summary>The ward's calls and events, its nurse's duty flag and audit rows, and the device count.</summary>
    private Task<string> StateAsync(TestWard ward) => fixture.ScalarAsync<string>("""
        SELECT CONCAT_WS('/',
          (SELECT COUNT(*) FROM calls WHERE ward_id = @WardId),
          (SELECT COUNT(*) FROM events WHERE ward_id = @WardId),
          (SELECT on_duty FROM staff WHERE id = @NurseId),
          (SELECT COUNT(*) FROM audit_log WHERE actor_id = @NurseId AND action <> 'login'),
          (SELECT COUNT(*) FROM devices))
        """, new { ward.WardId, NurseId = ward.Nurses[0].StaffId });
}
