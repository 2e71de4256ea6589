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

    /// <summary>Events committed and not yet delivered, as of the last pass.</summary>
    public long Lag { get; private set; }

    public int Wards => _cursors.Count;

    /// <summary>
    /// Delivers every ward's events after its cursor. <paramref name="deliver"/> returns false when
    /// a batch could not be handed on; that ward is left for the next pass. Returns how long
    /// reading the wards' positions took (the poll_duration figure).
    /// </summary>
    public async Task<TimeSpan> PassAsync(
        MySqlConnection conn, int batchSize, Func<IReadOnlyList<WardEvent>, CancellationToken, Task<bool>> deliver, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var positions = await OutboxReader.WardPositionsAsync(conn, ct);
        var polled = time.GetElapsedTime(started);

        long lag = 0;
        foreach (var (wardId, lastSeq) in positions)
        {
            var cursor = _cursors.GetValueOrDefault(wardId);
            while (cursor < lastSeq)
            {
                var events = await OutboxReader.ReadAfterAsync(conn, wardId, cursor, batchSize, ct);
                if (events.Count == 0 || !await deliver(events, ct))
                {
                    break;
                }
                cursor = events[^1].Seq;
                _cursors[wardId] = cursor;
            }
            lag += lastSeq - cursor;
        }
        Lag = lag;
        return polled;
    }

    /// <summary>Every ward's latest delivered sequence, for the stations' gap detection.</summary>
    public IReadOnlyList<WardHeartbeat> Heartbeats(DateTimeOffset now) =>
        [.. _cursors.Select(c => new WardHeartbeat(c.Key, c.Value, now))];
}
