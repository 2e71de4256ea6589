using System.Net.Http.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Server.Sessions;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.IntegrationTests;

/// <summary>A station screen that cannot play sound is supervised like one that went dark (docs/protocol.md, ReportSound).</summary>
[Collection(DispatchCollection.Name)]
public sealed class StationSoundTests(DispatchFixture fixture)
{
    [Fact]
    public async Task AStationThatCannotPlaySoundIsToldToItsWardKeptInItsSnapshotAndListedForOpsUntilItCan()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 0);
        var desk = await fixture.Hospital().StationAsync(ward.WardId, "Desk S");
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var colleague = await fixture.LoginAsync(ward.Nurses[1]);
        await using var other = await StationProbe.SubscribeAsync(fixture.BaseAddress, colleague, ward.WardId);
        await using var screen = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]));
        await screen.StartAsync();

        var beforeIdentifying = () => screen.ReportSoundAsync(canPlay: false);
        await beforeIdentifying.Should().ThrowAsync<HubException>().WithMessage("*Identify the station first*");
        await screen.IdentifyStationAsync(desk.Key);
        await screen.ReportSoundAsync(canPlay: false);
        await screen.ReportSoundAsync(canPlay: false);

        var muted = await other.WaitForAsync(e => e.Type == EventTypes.StationMuted && e.Station?.DeviceId == desk.DeviceId, "the screen without sound");
        muted.Station!.SoundOffSince.Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
        await using (var late = await StationProbe.SubscribeAsync(fixture.BaseAddress, colleague, ward.WardId))
        {
            late.Snapshot.MutedStations.Should().ContainSingle(s => s.DeviceId == desk.DeviceId && s.Name == "Desk S");
        }
        (await OpsSummaryAsync(admin)).MutedStations.Should().ContainSingle(s => s.DeviceId == desk.DeviceId);

        await screen.ReportSoundAsync(canPlay: true);
        await other.WaitForAsync(e => e.Type == EventTypes.StationSoundBack && e.Station?.DeviceId == desk.DeviceId, "the screen's sound back");
        other.Events.Count(e => e.Type == EventTypes.StationMuted).Should().Be(1, "a report that changes nothing sends nothing");
        await using (var later = await StationProbe.SubscribeAsync(fixture.BaseAddress, colleague, ward.WardId))
        {
            later.Snapshot.MutedStations.Should().BeEmpty();
        }
        (await OpsSummaryAsync(admin)).MutedStations.Should().NotContain(s => s.DeviceId == desk.DeviceId);
        (await fixture.QueryAsync<string>("SELECT action FROM audit_log WHERE actor_id = @DeviceId AND action LIKE 'station_%' ORDER BY id", desk))
            .Should().Equal(EventTypes.StationMuted, EventTypes.StationSoundBack);
    }

    private async Task<OpsSummary> OpsSummaryAsync(string admin)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/ops/summary", admin);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<OpsSummary>())!;
    }
}
