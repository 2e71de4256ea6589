using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.IntegrationTests;

/// <summary>Every bad request gets a 4xx problem-details answer and leaves the database as it was.</summary>
[Collection(DispatchCollection.Name)]
public sealed class BadInputTests(DispatchFixture fixture)
{
    [Fact]
    public async Task MalformedJsonIsA400AndChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);

        await ExpectRefusalAsync(ward, HttpStatusCode.BadRequest, "not valid JSON", "bad_request", () =>
            Raw("/api/calls", """{"bedId": 1, "kind": """, ward.Beds[0].DeviceKey));
    }

    [Fact]
    public async Task AnUnknownBedIsA404AndChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);

        await ExpectRefusalAsync(ward, HttpStatusCode.NotFound, "Bed 2147483000 does not exist", "not_found", () =>
            Raise(2_147_483_000, CallKinds.Normal, ward.Beds[0].DeviceKey));
    }

    [Fact]
    public async Task AWrongDeviceKeyIsRefusedAndChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);

        await ExpectRefusalAsync(ward, HttpStatusCode.Unauthorized, "device key is not known", "unknown_key", () =>
            Raise(ward.Beds[0].BedId, CallKinds.Normal, "not-a-real-key"));
        await ExpectRefusalAsync(ward, HttpStatusCode.Forbidden, "belongs to another bed", "forbidden", () =>
            Raise(ward.Beds[0].BedId, CallKinds.Normal, ward.Beds[1].DeviceKey));
        await ExpectRefusalAsync(ward, HttpStatusCode.Unauthorized, "device key (X-Device-Key header) or a patient nonce is required", "unauthorized", () =>
            Raise(ward.Beds[0].BedId, CallKinds.Normal, deviceKey: null));
    }

    [Fact]
    public async Task ABedDeviceAskingForATroubleCallIsA400AndChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);

        await ExpectRefusalAsync(ward, HttpStatusCode.BadRequest, "raised by the system when a device falls silent", "bad_request", () =>
            Raise(ward.Beds[0].BedId, CallKinds.Trouble, ward.Beds[0].DeviceKey));
    }

    [Fact]
    public async Task AnOversizedBodyIsA413AndChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var huge = $$"""{"bedId": {{ward.Beds[0].BedId}}, "kind": "normal", "nonce": "{{new string('x', 64 * 1024)}}"}""";

        await ExpectRefusalAsync(ward, HttpStatusCode.RequestEntityTooLarge, "too large", "too_large", () =>
            Raw("/api/calls", huge, ward.Beds[0].DeviceKey));
    }

    [Fact]
    public async Task SqlMetacharactersInStringsAreDataNotSql()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        const string injection = "normal'; DROP TABLE calls; -- \" \\ `";

        await ExpectRefusalAsync(ward, HttpStatusCode.BadRequest, "'kind' must be one of", "bad_request", () =>
            Raise(ward.Beds[0].BedId, injection, ward.Beds[0].DeviceKey));
        await ExpectRefusalAsync(ward, HttpStatusCode.Unauthorized, "nonce is not known", "unknown_key", () =>
            fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new RaiseCallRequest(ward.Beds[0].BedId, CallKinds.Normal, injection)));
        await ExpectRefusalAsync(ward, HttpStatusCode.Unauthorized, "Unknown username or wrong password", "wrong_credentials", () =>
            fixture.SendAsync(HttpMethod.Post, "/api/sessions", body: new LoginRequest("' OR '1'='1' -- ", "' OR '1'='1")));
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'calls'"))
            .Should().Be(1);
    }

    [Fact]
    public async Task ANurseCannotActOnAnotherWardsCall()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var otherWard = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var outsider = await fixture.LoginAsync(otherWard.Nurses[0]);
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);

        await ExpectRefusalAsync(ward, HttpStatusCode.Forbidden, "belongs to another ward", "not_your_ward", () =>
            fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", outsider));
        await ExpectRefusalAsync(ward, HttpStatusCode.Forbidden, "belongs to another ward", "not_your_ward", () =>
            fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/reject", outsider));
        await ExpectRefusalAsync(ward, HttpStatusCode.Forbidden, "is not your ward", "not_your_ward", () =>
            fixture.SendAsync(HttpMethod.Get, $"/api/wards/{ward.WardId}/calls", outsider));

        await using var station = StationProbe.Connect(fixture.BaseAddress, outsider);
        await station.StartAsync();
        var subscribe = () => station.InvokeAsync<WardSnapshot>(DispatchHubMethods.Subscribe, ward.WardId);
        await subscribe.Should().ThrowAsync<HubException>().WithMessage("*is not your ward. [not_your_ward]");
        var acknowledge = () => station.InvokeAsync<CallView>(DispatchHubMethods.Acknowledge, call.Id);
        await acknowledge.Should().ThrowAsync<HubException>().WithMessage("*belongs to another ward. [not_your_ward]");
        (await fixture.ScalarAsync<string>("SELECT status FROM calls WHERE id = @Id", call)).Should().Be("open");
    }

    [Fact]
    public async Task AcknowledgingACallThatIsNoLongerOpenIsA409()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var token = await fixture.LoginAsync(ward.Nurses[0]);
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", token)).StatusCode.Should().Be(HttpStatusCode.OK);

        await ExpectRefusalAsync(ward, HttpStatusCode.Conflict, "only an open call can be acknowledged", "call_not_open", () =>
            fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", token));
    }

    private async Task ExpectRefusalAsync(TestWard ward, HttpStatusCode status, string detail, string code, Func<Task<HttpResponseMessage>> send)
    {
        var before = await fixture.FootprintAsync(ward.WardId);

        using var response = await send();

        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        problem!.Status.Should().Be((int)status);
        problem.Detail.Should().Contain(detail);
        problem.Extensions["code"].Should().BeOfType<JsonElement>().Which.GetString().Should().Be(code, "a screen may say a refusal in its own language by its code");
        (await fixture.FootprintAsync(ward.WardId)).Should().Be(before, "a refused request writes nothing");
    }

    private Task<HttpResponseMessage> Raise(int bedId, string kind, string? deviceKey) =>
        fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new RaiseCallRequest(bedId, kind, null), deviceKey: deviceKey);

    private async Task<HttpResponseMessage> Raw(string path, string json, string deviceKey)
    {
        using var request = ServerApi.Request(HttpMethod.Post, path, deviceKey: deviceKey);
        request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return await fixture.Http.SendAsync(request);
    }
}
