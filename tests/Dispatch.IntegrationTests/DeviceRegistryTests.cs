using System.Net;
using System.Net.Http.Json;
using Dapper;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

/// <summary>Registering and retiring bed devices and station screens (GET/POST/DELETE /api/devices).</summary>
[Collection(DispatchCollection.Name)]
public sealed class DeviceRegistryTests(DispatchFixture fixture)
{
    [Fact]
    public async Task AnAdminRegistersAStationAndABedDeviceWhoseKeysWorkAtOnceAndOpsSeeThemListed()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));

        var station = await RegisterAsync(admin, new { kind = "station", name = "  Desk D  ", wardId = ward.WardId });
        station.Should().BeEquivalentTo(new { Kind = "station", Name = "Desk D", WardId = ward.WardId, BedId = (int?)null });
        station.Key.Should().HaveLength(Secrets.NewToken().Length);
        await using (var screen = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0])))
        {
            await screen.StartAsync();
            (await screen.IdentifyStationAsync(station.Key)).Name.Should().Be("Desk D", "the new key identifies the screen at once");
        }

        var bed = await RegisterAsync(admin, new { kind = "bed", name = "bed D1 spare", bedId = ward.Beds[0].BedId });
        using (var raised = await fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new { bedId = ward.Beds[0].BedId, kind = CallKinds.Normal }, deviceKey: bed.Key))
        {
            raised.StatusCode.Should().Be(HttpStatusCode.Created, "the new bed device's key raises calls at its bed");
        }

        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId));
        using var listed = await fixture.SendAsync(HttpMethod.Get, $"/api/devices?ward={ward.WardId}", manager);
        var devices = (await listed.Content.ReadFromJsonAsync<List<DeviceRow>>())!;
        devices.Select(d => d.Id).Should().BeEquivalentTo([station.Id, bed.Id, .. await BedDeviceIdsAsync(ward)], "the ward's devices, and no other ward's");
        devices.Single(d => d.Id == station.Id).LastSeenAt.Should().NotBeNull("it identified itself");
        devices.Single(d => d.Id == bed.Id).WardId.Should().Be(ward.WardId, "a bed device's ward is its bed's");

        var nurse = await fixture.LoginAsync(ward.Nurses[0]);
        using (var refused = await fixture.SendAsync(HttpMethod.Post, "/api/devices", nurse, new { kind = "station", name = "x", wardId = ward.WardId }))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
        using (var refused = await fixture.SendAsync(HttpMethod.Get, "/api/devices", nurse))
        {
            refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
    }

    [Theory]
    [InlineData("""{"kind": "printer", "name": "x", "wardId": 1}""", 400, "'kind' must be 'bed' or 'station'.")]
    [InlineData("""{"kind": "station", "name": " ", "wardId": 1}""", 400, "'name' is required, at most 64 characters.")]
    [InlineData("""{"kind": "station", "name": "x", "bedId": 1}""", 400, "A station needs 'wardId' (and no 'bedId').")]
    [InlineData("""{"kind": "bed", "name": "x", "bedId": 1, "wardId": 1}""", 400, "A bed device needs 'bedId' (and no 'wardId').")]
    [InlineData("""{"kind": "station", "name": "x", "wardId": 999999}""", 404, "Ward 999999 does not exist.")]
    [InlineData("""{"kind": "bed", "name": "x", "bedId": 999999}""", 404, "Bed 999999 does not exist.")]
    public async Task ABadRegistrationIsRefusedWithItsReasonAndAddsNothing(string body, int status, string reason)
    {
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var before = await DeviceCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/devices") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new("Bearer", admin);
        using var response = await fixture.Http.SendAsync(request);
        ((int)response.StatusCode).Should().Be(status);
        (await response.Content.ReadAsStringAsync()).Should().Contain(reason);
        (await DeviceCountAsync()).Should().Be(before);
    }

    [Fact]
    public async Task RetiringASilentStationTakesItOffItsWardsBoardsAndABedDeviceWithAnOpenTroubleCallIsKept()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        await using var board = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        var gone = await fixture.Hospital().StationAsync(ward.WardId, "Desk E", lastSeenSecondsAgo: 300);
        await board.WaitForAsync(e => e.Type == EventTypes.StationSilent && e.Station!.DeviceId == gone.DeviceId, "Desk E reported silent");

        using (var retired = await fixture.SendAsync(HttpMethod.Delete, $"/api/devices/{gone.DeviceId}", admin))
        {
            retired.StatusCode.Should().Be(HttpStatusCode.NoContent);
        }
        await board.WaitForAsync(e => e.Type == EventTypes.StationRetired && e.Station!.DeviceId == gone.DeviceId, "Desk E off the boards");
        await using (var late = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId))
        {
            late.Snapshot.SilentStations.Should().BeEmpty();
        }
        using (var again = await fixture.SendAsync(HttpMethod.Delete, $"/api/devices/{gone.DeviceId}", admin))
        {
            again.StatusCode.Should().Be(HttpStatusCode.NotFound);
        }

        // A bed device last heard from long ago gets a trouble call; it stays until that call is cleared.
        await using (var conn = await fixture.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE devices SET last_heartbeat_at = NOW(3) - INTERVAL 1 HOUR WHERE bed_id = @BedId", new { ward.Beds[0].BedId });
        }
        var trouble = await board.WaitForAsync(e => e.Type == EventTypes.CallRaised && e.Call!.Kind == CallKinds.Trouble, "the bed device's trouble call");
        var bedDevice = (await BedDeviceIdsAsync(ward)).Single();
        using (var kept = await fixture.SendAsync(HttpMethod.Delete, $"/api/devices/{bedDevice}", admin))
        {
            kept.StatusCode.Should().Be(HttpStatusCode.Conflict);
            (await kept.Content.ReadAsStringAsync()).Should().Contain($"open trouble call ({trouble.CallId})");
        }
        (await BedDeviceIdsAsync(ward)).Should().ContainSingle();

        await using var audit = await fixture.DataSource.OpenConnectionAsync();
        (await audit.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'device_retired' AND detail LIKE @Detail",
            new { Detail = $"station device {gone.DeviceId} %" })).Should().Be(1);
    }

    private async Task<RegisteredDevice> RegisterAsync(string admin, object body)
    {
        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/devices", admin, body);
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RegisteredDevice>())!;
    }

    private async Task<long> DeviceCountAsync()
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM devices");
    }

    private async Task<IReadOnlyList<int>> BedDeviceIdsAsync(TestWard ward)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        return [.. await conn.QueryAsync<int>("SELECT id FROM devices WHERE bed_id = @BedId AND name NOT LIKE '%spare'", new { ward.Beds[0].BedId })];
    }
}
