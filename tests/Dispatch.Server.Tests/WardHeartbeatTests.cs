using Dispatch.Outbox;

namespace Dispatch.Server.Tests;

public sealed class WardHeartbeatTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    [Fact]
    public void EveryWardIsHeartbeatedOnceAPeriodAndAHospitalsWardsAreSpreadOverIt()
    {
        var cursors = new WardCursors(Enumerable.Range(1, 400).Select(ward => KeyValuePair.Create(ward, (long)ward * 3)));
        var start = new DateTimeOffset(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);

        cursors.HeartbeatsDue(start, Period).Select(h => h.WardId).Should().BeEquivalentTo(Enumerable.Range(1, 400),
            "a relay that starts tells every ward's stations its latest sequence at once");

        // The relay's passes, every 50 ms, over three periods: heartbeats at every second one.
        var passes = Enumerable.Range(1, 600).Select(i => cursors.HeartbeatsDue(start + TimeSpan.FromMilliseconds(50 * i), Period)).ToList();
        foreach (var period in passes.Chunk(200))
        {
            period.SelectMany(due => due).Select(h => h.WardId).Should().BeEquivalentTo(Enumerable.Range(1, 400),
                "each ward once in each period, none left out and none twice");
        }
        passes.Where((_, i) => i % 2 == 0).Should().OnlyContain(due => due.Count == 0, "heartbeats go out at most every 100 ms");
        passes.Max(due => due.Count).Should().BeLessThanOrEqualTo(8, "100 ms of heartbeats are about one ward in a hundred, not a burst of them");
        passes.SelectMany(due => due).Should().OnlyContain(h => h.Seq == h.WardId * 3L, "a heartbeat carries the ward's latest delivered sequence");
    }

    [Fact]
    public void APassLateByMoreThanAPeriodHeartbeatsEveryWardOnce()
    {
        var cursors = new WardCursors(Enumerable.Range(1, 50).Select(ward => KeyValuePair.Create(ward, 0L)));
        var start = DateTimeOffset.UnixEpoch.AddDays(20_000);
        cursors.HeartbeatsDue(start, Period);

        cursors.HeartbeatsDue(start + Period * 3.5, Period).Select(h => h.WardId).Should().OnlyHaveUniqueItems().And.HaveCount(50);
    }
}
