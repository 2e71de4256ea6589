using System.Collections.Concurrent;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>
/// A relay pass (the bridge's and a single node's) on the real outbox: wards are handed on side by
/// side, so one ward's slow node does not hold another ward's calls back, and each ward's events
/// still go one batch at a time, in order, its cursor moving only past what was handed on.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class WardCursorsTests(DispatchFixture fixture)
{
    [Fact]
    public async Task WardsAreHandedOnSideBySideAndEachWardsBatchesInOrderOneAtATime()
    {
        var slowWard = await fixture.Hospital().WardAsync(nurses: 1, beds: 3);
        var otherWard = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        var cursors = new WardCursors((await OutboxReader.WardPositionsAsync(conn, default)).Select(p => KeyValuePair.Create(p.WardId, p.LastSeq)));
        foreach (var bed in slowWard.Beds)
        {
            await fixture.RaiseCallAsync(bed);
        }
        await fixture.RaiseCallAsync(otherWard.Beds[0]);

        var otherHandedOn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handedOn = new ConcurrentQueue<(int WardId, long Seq)>();
        var inFlight = new ConcurrentDictionary<int, int>();
        var mostInFlight = 0;
        var moved = new List<(int WardId, long Cursor)>();
        async Task<bool> Deliver(IReadOnlyList<WardEvent> events, CancellationToken ct)
        {
            var wardId = events[0].WardId;
            var now = inFlight.AddOrUpdate(wardId, 1, (_, n) => n + 1);
            mostInFlight = Math.Max(mostInFlight, wardId == slowWard.WardId ? now : 0);
            if (wardId == slowWard.WardId)
            {
                // The slow ward's node answers only once the other ward's batch went: one after the other, this never ends.
                await otherHandedOn.Task;
            }
            foreach (var e in events)
            {
                handedOn.Enqueue((wardId, e.Seq));
            }
            inFlight.AddOrUpdate(wardId, 0, (_, n) => n - 1);
            if (wardId == otherWard.WardId)
            {
                otherHandedOn.TrySetResult();
            }
            return true;
        }

        await cursors.PassAsync(conn, batchSize: 1, Deliver, (wardId, cursor, _) =>
        {
            moved.Add((wardId, cursor));
            return Task.CompletedTask;
        }, TimeProvider.System, default).WaitAsync(TimeSpan.FromSeconds(20));

        var slowSeqs = handedOn.Where(h => h.WardId == slowWard.WardId).Select(h => h.Seq).ToList();
        slowSeqs.Should().HaveCount(3).And.BeInAscendingOrder();
        mostInFlight.Should().Be(1, "a ward has one batch in flight, so its events reach the nodes in order");
        moved.Where(m => m.WardId == slowWard.WardId).Select(m => m.Cursor).Should().Equal(slowSeqs, "the cursor moves past each batch once it was handed on");
        handedOn.Should().Contain(h => h.WardId == otherWard.WardId);
    }

    [Fact]
    public async Task ABatchThatCouldNotBeHandedOnLeavesItsWardsCursorForTheNextPass()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        var cursors = new WardCursors((await OutboxReader.WardPositionsAsync(conn, default)).Select(p => KeyValuePair.Create(p.WardId, p.LastSeq)));
        await fixture.RaiseCallAsync(ward.Beds[0]);
        var moved = new List<int>();
        var refuse = true;
        Task<bool> Deliver(IReadOnlyList<WardEvent> events, CancellationToken ct) => Task.FromResult(events[0].WardId != ward.WardId || !refuse);
        Task Moved(int wardId, long cursor, CancellationToken ct)
        {
            moved.Add(wardId);
            return Task.CompletedTask;
        }

        await cursors.PassAsync(conn, batchSize: 100, Deliver, Moved, TimeProvider.System, default);
        moved.Should().NotContain(ward.WardId);
        cursors.Lag.Should().BeGreaterThanOrEqualTo(1, "the refused batch is still owed");

        refuse = false;
        await cursors.PassAsync(conn, batchSize: 100, Deliver, Moved, TimeProvider.System, default);
        moved.Should().Contain(ward.WardId);
        cursors.HeartbeatsDue(DateTimeOffset.UtcNow, TimeSpan.FromSeconds(10)).Single(h => h.WardId == ward.WardId).Seq.Should().BeGreaterThanOrEqualTo(1);
    }
}
