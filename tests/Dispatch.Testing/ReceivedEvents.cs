using System.Collections.Concurrent;
using Dispatch.Client;
using Dispatch.Contracts;

namespace Dispatch.Testing;

/// <summary>What a <see cref="DispatchClient"/> delivered to its user, with a way to await a condition on it.</summary>
public sealed class ReceivedEvents
{
    private readonly ConcurrentQueue<WardEvent> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);

    public ReceivedEvents(DispatchClient client) => client.EventReceived += e =>
    {
        _events.Enqueue(e);
        _arrived.Release();
    };

    public IReadOnlyList<WardEvent> Events => [.. _events];

    public async Task WaitUntilAsync(Func<IReadOnlyList<WardEvent>, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Events))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"The client did not receive {what}; it has: " +
                    string.Join(", ", Events.Select(e => $"#{e.Seq}(call {e.CallId})")));
            }
        }
    }
}
