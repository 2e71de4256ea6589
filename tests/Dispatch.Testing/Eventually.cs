using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>
/// Waits, bounded, for a state another process reaches in its own time (a row written, a process
/// exited), checking every 100 ms; fails naming what did not happen. Events are awaited on their
/// own signal instead (StationProbe.WaitForAsync).
/// </summary>
public static class Eventually
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Not seen within {timeout.TotalSeconds} s: {what}.");
            }
            await Task.Delay(100);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan timeout) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);
}
