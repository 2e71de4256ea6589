using System.Collections.Concurrent;

namespace Dispatch.Gateway.Intake;

/// <summary>
/// The Idempotency-Key of each message recently sent on: the same address and text again within
/// the window is the sender repeating a message whose answer it did not get, so it gets the same
/// key and the server answers with the call it already raised. Outside the window it is a new press.
/// </summary>
public sealed class RetransmitMemory(TimeSpan window, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Address, string Text), (string Key, long At)> _recent = new();

    public string KeyFor(string address, string text)
    {
        var now = time.GetTimestamp();
        foreach (var (message, seen) in _recent)
        {
            if (time.GetElapsedTime(seen.At, now) > window)
            {
                _recent.TryRemove(message, out _);
            }
        }
        var entry = _recent.AddOrUpdate((address, text),
            _ => (NewKey(), now),
            (_, seen) => time.GetElapsedTime(seen.At, now) > window ? (NewKey(), now) : (seen.Key, now));
        return entry.Key;
    }

    private static string NewKey() => $"line-{Guid.NewGuid():N}";
}
