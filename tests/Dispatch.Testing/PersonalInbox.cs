using System.Collections.Concurrent;
using System.Diagnostics;
using Dispatch.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Testing;

/// <summary>
/// What reaches one staff member's connection personally, outside any ward's stream
/// (<see cref="IDispatchClient.CallForYourTeam"/>, <see cref="IDispatchClient.CallEscalatedToYou"/>),
/// each with the moment it arrived (<see cref="Stopwatch.GetTimestamp"/>).
/// </summary>
public sealed class PersonalInbox
{
    private readonly ConcurrentQueue<(WardEvent Event, long ArrivedAt)> _received = new();
    private readonly List<(Func<WardEvent, bool> Match, TaskCompletionSource<(WardEvent, long)> Arrived)> _waiters = [];
    private readonly Lock _gate = new();

    public PersonalInbox(HubConnection connection, string method) => connection.On<WardEvent>(method, Record);

    public IReadOnlyList<WardEvent> Events => [.. _received.Select(r => r.Event)];

    /// <summary>The first event matching <paramref name="match"/> (already received or still to come) and when it arrived.</summary>
    public async Task<(WardEvent Event, long ArrivedAt)> WaitForAsync(Func<WardEvent, bool> match, string what, TimeSpan timeout)
    {
        var arrived = new TaskCompletionSource<(WardEvent, long)>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_received.FirstOrDefault(r => match(r.Event)) is { Event: not null } already)
            {
                return already;
            }
            _waiters.Add((match, arrived));
        }
        try
        {
            return await arrived.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not arrive within {timeout.TotalSeconds:0.#} s; received: " +
                string.Join(", ", Events.Select(e => $"{e.Type} #{e.CallId}")));
        }
    }

    private void Record(WardEvent wardEvent)
    {
        var arrivedAt = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _received.Enqueue((wardEvent, arrivedAt));
            foreach (var waiter in _waiters.Where(w => w.Match(wardEvent)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Arrived.TrySetResult((wardEvent, arrivedAt));
            }
        }
    }
}
