using System.Diagnostics;
using System.Net.Http.Json;
using Dapper;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Dispatch.IntegrationTests;

/// <summary>A server of its own, so that its trouble counter counts this class's stations only (silent after 2 s, as every test server).</summary>
public sealed class SilentStationFixture : DispatchFixture;

public sealed class StationSupervisionTests(SilentStationFixture fixture) : IClassFixture<SilentStationFixture>
{
    [Fact]
    public async Task AStationScreenThatGoesAwayIsReportedToItsWardOnceAndAgainWhenItIsBack()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        var desk = await fixture.Hospital().StationAsync(ward.WardId, "Desk A");
        await using var watcher = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[1]), ward.WardId);
        var deskToken = await fixture.LoginAsync(ward.Nurses[0]);

        var screen = await ScreenAsync(deskToken, ward.WardId, desk.Key);
        await Task.Delay(TimeSpan.FromSeconds(4));
        watcher.Events.Should().NotContain(e => EventTypes.IsStationEvent(e.Type),
            "a connected screen is vouched for by its node's heartbeat, for twice its silence bound here");

        await screen.DisposeAsync();
        var away = Stopwatch.StartNew();
        var silent = await watcher.WaitForAsync(e => e.Type == EventTypes.StationSilent, "the ward told that Desk A is silent", TimeSpan.FromSeconds(10));
        Console.WriteLine($"A closed station screen was reported to its ward {away.Elapsed.TotalSeconds:F1} s later (bound 2 s, checks every 1 s)");
        silent.Station.Should().BeEquivalentTo(new { desk.DeviceId, desk.WardId, desk.Name });
        silent.Call.Should().BeNull();
        silent.Station!.LastSeenAt.Should().NotBeNull();

        var manager = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId));
        (await SummaryAsync(manager)).SilentStations.Should().ContainSingle(s => s.DeviceId == desk.DeviceId, "the maintenance view lists it");
        await using (var late = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[1]), ward.WardId))
        {
            late.Snapshot.SilentStations.Should().ContainSingle(s => s.DeviceId == desk.DeviceId, "a board opened later sees the trouble too");
        }
        await Task.Delay(TimeSpan.FromSeconds(3));
        watcher.Events.Count(e => e.Type == EventTypes.StationSilent).Should().Be(1, "one report per silence");

        await using var again = await ScreenAsync(deskToken, ward.WardId, desk.Key);
        var back = await watcher.WaitForAsync(e => e.Type == EventTypes.StationBack, "the ward told that Desk A is back", TimeSpan.FromSeconds(10));
        back.Station!.DeviceId.Should().Be(desk.DeviceId);
        (await SummaryAsync(manager)).SilentStations.Should().NotContain(s => s.DeviceId == desk.DeviceId);

        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        (await conn.QueryAsync<string>("SELECT action FROM audit_log WHERE actor_type = 'system' AND actor_id = @DeviceId ORDER BY id", new { desk.DeviceId }))
            .Should().Equal(EventTypes.StationSilent, EventTypes.StationBack);
        (await fixture.Http.GetStringAsync("/metrics")).Should().Contain("dispatch_trouble_events_total{device=\"station\"} 1");
    }

    [Fact]
    public async Task AStationKeyIsCheckedAndOnlyItsWardsStaffMayUseIt()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var desk = await fixture.Hospital().StationAsync(ward.WardId, "Desk B");
        await using var outsider = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(other.Nurses[0]));
        await outsider.StartAsync();

        var foreign = () => outsider.IdentifyStationAsync(desk.Key);
        (await foreign.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("Desk B").And.Contain("not your ward");
        var unknown = () => outsider.IdentifyStationAsync("not-a-station-key");
        (await unknown.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("Unknown station key");
        var bedKey = () => outsider.IdentifyStationAsync(other.Beds[0].DeviceKey);
        (await bedKey.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("Unknown station key", "a bed device is not a station");

        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        (await conn.ExecuteScalarAsync<DateTime?>("SELECT last_heartbeat_at FROM devices WHERE id = @DeviceId", new { desk.DeviceId }))
            .Should().BeNull("a refused identification vouches for nothing");
    }

    [Fact]
    public void AStationBoundNoLongerThanTheNodesHeartbeatIsRefusedAtStart()
    {
        var start = () => DispatchServer.Start(fixture.ConnectionString,
            new Dictionary<string, string> { ["Supervision:StationSilentSeconds"] = "5", ["Ops:HeartbeatSeconds"] = "5" });
        start.Should().Throw<OptionsValidationException>().WithMessage("*StationSilentSeconds must be longer than Ops:HeartbeatSeconds*");
    }

    private async Task<DispatchClient> ScreenAsync(string token, int wardId, string stationKey)
    {
        var client = new DispatchClient(fixture.BaseAddress, token);
        await client.StartAsync();
        await client.SubscribeAsync(wardId);
        (await client.IdentifyStationAsync(stationKey)).WardId.Should().Be(wardId);
        return client;
    }

    private async Task<OpsSummary> SummaryAsync(string token)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/ops/summary", token);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OpsSummary>())!;
    }
}
