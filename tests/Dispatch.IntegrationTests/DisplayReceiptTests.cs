using System.Collections.Concurrent;
using Dapper;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>A server whose display alarm fires 2 s after a call nobody showed (5 s by default).</summary>
public sealed class DisplayFixture() : DispatchFixture(new Dictionary<string, string> { ["Display:AlarmSeconds"] = "2" });

public sealed class DisplayReceiptTests(DisplayFixture fixture) : IClassFixture<DisplayFixture>
{
    [Fact]
    public async Task ACallAStationConfirmedIsNotAlarmedAndOneNoStationShowedIsAlarmedOnceToTheWard()
    {
        var shown = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var unseen = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var showing = await StationAsync(shown);
        await using var frozen = await StationAsync(unseen);
        var alerts = new ConcurrentQueue<DisplayAlert>();
        frozen.CallNotDisplayed += alerts.Enqueue;
        showing.CallNotDisplayed += alerts.Enqueue;

        var confirmedCall = await fixture.RaiseCallAsync(shown.Beds[0]);
        var unseenCall = await fixture.RaiseCallAsync(unseen.Beds[0], CallKinds.CodeBlue);
        await showing.ConfirmDisplayedAsync([confirmedCall.Id]);
        // A nurse's receipt for another ward's call does not count.
        await showing.ConfirmDisplayedAsync([unseenCall.Id]);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!alerts.Any(a => a.CallId == unseenCall.Id) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        await Task.Delay(TimeSpan.FromSeconds(2));

        alerts.Should().ContainSingle().Which.Should().BeEquivalentTo(new { CallId = unseenCall.Id, unseen.WardId, Kind = CallKinds.CodeBlue },
            o => o.ExcludingMissingMembers());
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        (await conn.QueryAsync<long>("SELECT call_id FROM call_displays WHERE call_id IN @Ids", new { Ids = new[] { confirmedCall.Id, unseenCall.Id } }))
            .Should().Equal([confirmedCall.Id], "the receipt of the ward's own station is recorded; the other is not");
        (await conn.QueryAsync<string>("SELECT action FROM audit_log WHERE call_id = @Id AND action = 'display_missing'", new { unseenCall.Id }))
            .Should().ContainSingle();
        (await conn.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE call_id = @Id AND action = 'display_missing'", new { confirmedCall.Id }))
            .Should().Be(0);
    }

    private async Task<DispatchClient> StationAsync(TestWard ward)
    {
        var station = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]));
        await station.StartAsync();
        await station.SubscribeAsync(ward.WardId);
        return station;
    }
}
