using System.Net;
using System.Net.Http.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Clinical;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>A server that calls a bed device silent after 2 s (3 minutes by default).</summary>
public sealed class SilentDeviceFixture() : DispatchFixture(new Dictionary<string, string> { ["Supervision:DeviceSilentSeconds"] = "2" });

public sealed class DeviceSupervisionTests(SilentDeviceFixture fixture) : IClassFixture<SilentDeviceFixture>
{
    [Fact]
    public async Task ADeviceThatFallsSilentGetsOneTroubleCallAtItsBedWhichItsNextHeartbeatClears()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        // The second bed's device never reports: it is not supervised.
        var silent = ward.Beds[0];
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);

        (await Heartbeat(silent.DeviceKey)).Should().Be(HttpStatusCode.NoContent);
        (await Heartbeat("not-a-device-key")).Should().Be(HttpStatusCode.Unauthorized);

        var trouble = await station.WaitForAsync(e => e.Type == EventTypes.CallRaised && e.Call!.Kind == CallKinds.Trouble,
            "a trouble call for the silent device", TimeSpan.FromSeconds(10));
        trouble.Call!.BedId.Should().Be(silent.BedId);
        trouble.Call.Priority.Should().Be(CallKindRules.BasePriority(CallKinds.Trouble), "a trouble call never outranks a patient's call");
        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId));
        using (var ops = await fixture.SendAsync(HttpMethod.Get, "/api/ops/summary", manager))
        {
            var summary = await ops.Content.ReadFromJsonAsync<OpsSummary>();
            summary!.Troubles.Should().ContainSingle(t => t.CallId == trouble.CallId, "the maintenance view lists it");
        }
        await Task.Delay(TimeSpan.FromSeconds(3));
        station.Events.Count(e => e.Type == EventTypes.CallRaised).Should().Be(1,
            "one trouble call per silence, and none for a device that never reported");

        (await Heartbeat(silent.DeviceKey)).Should().Be(HttpStatusCode.NoContent);
        var cleared = await station.WaitForAsync(e => e.Type == EventTypes.CallResolved && e.CallId == trouble.CallId, "the trouble call cleared");
        cleared.Call!.Status.Should().Be("resolved");
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<string>("SELECT raised_by FROM calls WHERE id = @Id", new { Id = trouble.CallId })).Should().Be("system");
        (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'device_silent' AND call_id = @Id", new { Id = trouble.CallId }))
            .Should().Be(1);
    }

    private async Task<HttpStatusCode> Heartbeat(string deviceKey)
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/devices/heartbeat", deviceKey: deviceKey);
        return response.StatusCode;
    }
}
