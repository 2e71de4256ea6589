using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Client;

/// <summary>
/// Reconnects forever: full jitter over an exponential backoff (0.5 s, 1 s, 2 s …) capped at a
/// maximum. The SignalR default (0, 2, 10, 30 s) gives up after four tries and has no jitter, so a
/// node restart would make every station retry at the same instants.
/// </summary>
public sealed class ForeverJitteredRetryPolicy(TimeSpan maxDelay) : IRetryPolicy
{
    private static readonly TimeSpan s_firstCeiling = TimeSpan.FromMilliseconds(500);

    /// <summary>A delay drawn uniformly from zero to the capped exponential ceiling; never null.</summary>
    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        ArgumentNullException.ThrowIfNull(retryContext);
        var ceiling = Math.Min(maxDelay.TotalMilliseconds,
            s_firstCeiling.TotalMilliseconds * Math.Pow(2, Math.Min(retryContext.PreviousRetryCount, 20)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }
}
