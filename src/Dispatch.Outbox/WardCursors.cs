using Dispatch.Contracts;
using MySqlConnector;

namespace Dispatch.Outbox;

/// <summary>
/// A relay's position in the outbox: one cursor per ward, because a ward's sequence is gap-free and
/// commit-ordered, which a global auto-increment id is not. A pass reads each ward's new events in
/// sequence order, in batches, and moves the ward's cursor only past a batch that was delivered.
/// Shared by the in-process relay of a single node and by Dispatch.Bridge.
/// </summary>
public sealed class WardCursors(IEnumerable<KeyValuePair<int, long>> start)
{
    private readonly Dictionary<int, long> _cursors = new(start);
    private static readonly TimeSpan s_heartbeatStep = TimeSpan.FromMilliseconds(100);
    private DateTimeOffset? _heartbeatsUntil;

    /// <summary>Events committed and not yet delivered, as of the last pass.</summary>
    public long Lag { get; private set; }

    public int Wards => _cursors.Count;

    /// <summary>
    /// Delivers every ward's events after its cursor. Each round reads the next batch of every ward
    /// that is behind and hands them all on at once: wards do not wait for each other, and a ward
    /// has one batch in flight, so its events stay in order. <paramref name="deliver"/> returns
    /// false when a batch could not be handed on; that ward is left for the next pass.
    /// <paramref name="moved"/> keeps a ward's new cursor once its batch was handed on (called one
    /// at a time, on <paramref name="conn"/>'s turn). Returns how long reading the wards' positions
    /// took (the poll_duration figure).
    /// </summary>
    public async Task<TimeSpan> PassAsync(
        MySqlConnection conn, int batchSize, Func<IReadOnlyList<WardEvent>, CancellationToken, Task<bool>> deliver,
        Func<int, long, CancellationToken, Task> moved, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var positions = await OutboxReader.WardPositionsAsync(conn, ct);
        var polled = time.GetElapsedTime(started);

        var lastSeqOf = positions.ToDictionary(p => p.WardId, p => p.LastSeq);
        var behind = positions.Where(p => _cursors.GetValueOrDefault(p.WardId) < p.LastSeq).Select(p => p.WardId).ToList();
        while (behind.Count > 0)
        {
            var batches = new List<IReadOnlyList<WardEvent>>(behind.Count);
            foreach (var wardId in behind)
            {
                var events = await OutboxReader.ReadAfterAsync(conn, wardId, _cursors.GetValueOrDefault(wardId), batchSize, ct);
                if (events.Count > 0)
                {
                    batches.Add(events);
                }
            }
            var handedOn = await Task.WhenAll(batches.Select(events => deliver(events, ct)));
            behind = [];
            for (var i = 0; i < batches.Count; i++)
            {
                if (handedOn[i])
                {
                    var (wardId, cursor) = (batches[i][0].WardId, batches[i][^1].Seq);
                    _cursors[wardId] = cursor;
                    await moved(wardId, cursor, ct);
                    if (cursor < lastSeqOf[wardId])
                    {
                        behind.Add(wardId);
                    }
                }
            }
        }
        Lag = positions.Sum(p => Math.Max(0, p.LastSeq - _cursors.GetValueOrDefault(p.WardId)));
        return polled;
    }

    /// <summary>
    /// The heartbeats due since the last ones (every ward's at the first call): each ward's latest
    /// delivered sequence, for the stations' gap detection, once a <paramref name="period"/>. Each
    /// ward's falls at its own point of the period, so a hospital's wards are not heartbeated all at
    /// once: a push to every screen in one burst delayed the calls behind it. Called every pass,
    /// it answers at most every 100 ms (one message to a node), with the wards whose point fell
    /// since: at 400 wards, a second's 40 wards in one burst (1,000 screens) still held up the
    /// calls behind it (docs/benchmarks.md).
    /// </summary>
    public IReadOnlyList<WardHeartbeat> HeartbeatsDue(DateTimeOffset now, TimeSpan period)
    {
        if (_heartbeatsUntil is { } until && now - until < s_heartbeatStep)
        {
            return [];
        }
        var since = _heartbeatsUntil ?? now - period;
        _heartbeatsUntil = now;
        return [.. _cursors
            .Where(c => PeriodsBegun(now, c.Key, period) > PeriodsBegun(since, c.Key, period))
            .Select(c => new WardHeartbeat(c.Key, c.Value, now))];
    }

    // Periods begun by then at the ward's own point of the period. Its point is its id's Fibonacci
    // hash: consecutive ids fall far apart.
    private static long PeriodsBegun(DateTimeOffset at, int wardId, TimeSpan period)
    {
        var point = (long)(unchecked((uint)wardId * 2654435769u) / (double)uint.MaxValue * period.Ticks);
        return (at.UtcTicks - point) / period.Ticks;
    }
}
