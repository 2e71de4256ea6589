using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Dispatch.Contracts;

namespace Dispatch.Floor;

/// <summary>
/// The wards' sequences and events in memory, and which ward each bed is in (read from the same
/// devices file the swarm presses: BED_{id}_WARD lines).
/// </summary>
public sealed partial class FloorWards
{
    private readonly Dictionary<int, int> _wardOfBed = [];
    private readonly ConcurrentDictionary<int, List<WardEvent>> _events = new();
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _turns = new();
    private long _nextCallId;
    private long _connections;

    public FloorWards(IConfiguration configuration)
    {
        var devices = configuration["Floor:Devices"] ?? throw new InvalidOperationException("Floor:Devices (the swarm's devices file) is required.");
        foreach (var match in File.ReadLines(devices).Select(line => BedWard().Match(line)).Where(m => m.Success))
        {
            _wardOfBed[int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)] = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        }
    }

    public long Connections => Interlocked.Read(ref _connections);

    public void Connected(int delta) => Interlocked.Add(ref _connections, delta);

    public long LastSeq(int wardId)
    {
        var events = _events.GetOrAdd(wardId, _ => []);
        lock (events)
        {
            return events.Count;
        }
    }

    public CallView? Raise(int bedId) => _wardOfBed.TryGetValue(bedId, out var wardId)
        ? new CallView(Interlocked.Increment(ref _nextCallId), wardId, bedId, $"{bedId / 2}", bedId % 2 == 0 ? "A" : "B", CallKinds.Normal, 20,
            CallStatuses.Open, null, null, 0, DateTimeOffset.UtcNow, null, null, Band: "routine", Ward: $"Ward {wardId}")
        : null;

    /// <summary>
    /// Gives the call's event the ward's next sequence, keeps it for resyncs and sends it, one
    /// event of a ward at a time: a ward's stations get its events in order, as Dispatch's relay
    /// publishes them.
    /// </summary>
    public async Task AppendAndSendAsync(string type, CallView call, Func<WardEvent, Task> send)
    {
        var turn = _turns.GetOrAdd(call.WardId, _ => new SemaphoreSlim(1));
        await turn.WaitAsync();
        try
        {
            var events = _events.GetOrAdd(call.WardId, _ => []);
            WardEvent wardEvent;
            lock (events)
            {
                wardEvent = new WardEvent(call.WardId, events.Count + 1, type, call.Id, call, DateTimeOffset.UtcNow);
                events.Add(wardEvent);
            }
            await send(wardEvent);
        }
        finally
        {
            turn.Release();
        }
    }

    public IReadOnlyList<WardEvent> EventsAfter(int wardId, long afterSeq)
    {
        var events = _events.GetOrAdd(wardId, _ => []);
        lock (events)
        {
            return [.. events.Skip((int)Math.Min(afterSeq, events.Count)).Take(DispatchHubMethods.ResyncPageSize)];
        }
    }

    [GeneratedRegex(@"^BED_(\d+)_WARD=(\d+)$")]
    private static partial Regex BedWard();
}
