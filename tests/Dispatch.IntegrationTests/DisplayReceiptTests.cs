using System.Collections.Concurrent;
using Dapper;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR.Client;

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

    [Fact]
    public async Task AFloodOfReceiptsFromOneConnectionNeitherHoldsUpAnotherStationsReceiptNorRaisesAFalseAlarm()
    {
        var flooding = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var flooder = StationProbe.Connect(fixture.BaseAddress, await fixture.LoginAsync(flooding.Nurses[0]));
        await flooder.StartAsync();
        await flooder.InvokeAsync<WardSnapshot>(DispatchHubMethods.Subscribe, flooding.WardId);
        await using var station = await StationAsync(ward);
        var alerts = new ConcurrentQueue<DisplayAlert>();
        station.CallNotDisplayed += alerts.Enqueue;
        var droppedBefore = await DroppedAsync(ReceiptDropped.ConnectionBound);

        // 200 receipts of 1,000 made-up call ids each, from one connection, as fast as it can send them.
        var flood = Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            flooder.InvokeAsync(DispatchHubMethods.Displayed, Enumerable.Range(0, 1_000).Select(n => 1_000_000_000L + i * 1_000L + n).ToArray())));
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await station.ConfirmDisplayedAsync([call.Id]);
        await flood;

        long? stored = null;
        while (stored is null && clock.Elapsed < TimeSpan.FromSeconds(4))
        {
            stored = (await fixture.Hospital().QueryAsync<long>("SELECT call_id FROM call_displays WHERE call_id = @Id", call)).Cast<long?>().FirstOrDefault();
            await Task.Delay(50);
        }
        var landedAfter = clock.Elapsed;
        stored.Should().Be(call.Id, "the station's receipt landed before the alarm was due (2 s)");
        await Task.Delay(TimeSpan.FromSeconds(3));
        alerts.Should().BeEmpty("the call was shown, and its receipt was not held up by the flood");
        (await DroppedAsync(ReceiptDropped.ConnectionBound) - droppedBefore).Should().BeGreaterThan(100_000, "the flood past the connection's bound is dropped and counted");
        Console.WriteLine($"During a flood of 200 × 1,000 receipts from one connection, another station's receipt was stored {landedAfter.TotalMilliseconds:F0} ms after it was sent");
    }

    [Fact]
    public async Task AReceiptFromAConnectionThatWatchesNoWardDoesNotSilenceTheAlarm()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var manager = await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId);
        await using var unsubscribed = StationProbe.Connect(fixture.BaseAddress, await fixture.LoginAsync(manager));
        await unsubscribed.StartAsync();
        var call = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.CodeBlue);

        await unsubscribed.InvokeAsync(DispatchHubMethods.Displayed, new[] { call.Id });

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE call_id = @Id AND action = 'display_missing'", call) == 0)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the call no station showed is alarmed");
            await Task.Delay(100);
        }
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM call_displays WHERE call_id = @Id", call)).Should().Be(0,
            "a receipt counts only from a connection subscribed to the call's ward");
    }

    private Task<double> DroppedAsync(string reason) =>
        MetricsText.SumAsync(fixture.Http, series => series == $"dispatch_display_receipts_dropped_total{{reason=\"{reason}\"}}");

    private async Task<DispatchClient> StationAsync(TestWard ward)
    {
        var station = new DispatchClient(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]));
        await station.StartAsync();
        await station.SubscribeAsync(ward.WardId);
        return station;
    }
}
