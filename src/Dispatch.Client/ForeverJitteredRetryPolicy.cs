using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Client;

/// <summary>
/// Reconnects forever: full jitter over an exponential backoff (0.5 s, 1 s, 2 s …) capped at a
/// maximum. The SignalR default (0, 2, 10, 30 s) gives up after four tries and has no jitter, so a
/// node restart would make every station retry at the same instants. The one reason to stop is
/// the server refusing the session (401): retrying a revoked or expired session cannot succeed.
/// </summary>
public sealed class ForeverJitteredRetryPolicy(TimeSpan maxDelay) : IRetryPolicy
{
    private static readonly TimeSpan s_firstCeiling = TimeSpan.FromMilliseconds(500);

    /// <summary>True once a reconnect was refused with 401 and the policy stopped.</summary>
    public bool SessionRefused { get; private set; }

    /// <summary>A delay drawn uniformly from zero to the capped exponential ceiling; null only after a 401.</summary>
    public TimeSpan? NextRetryDelay(RetryContext retryContext)
    {
        ArgumentNullException.ThrowIfNull(retryContext);
        if (IsUnauthorized(retryContext.RetryReason))
        {
            SessionRefused = true;
            return null;
        }
        var ceiling = Math.Min(maxDelay.TotalMilliseconds,
            s_firstCeiling.TotalMilliseconds * Math.Pow(2, Math.Min(retryContext.PreviousRetryCount, 20)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling);
    }

    // Negotiation answers 401 as an HttpRequestException; a skip-negotiation WebSocket upgrade
    // refused with 401 surfaces as a WebSocketException naming the status.
    private static bool IsUnauthorized(Exception? reason) => reason switch
    {
        HttpRequestException { StatusCode: System.Net.HttpStatusCode.Unauthorized } => true,
        System.Net.WebSockets.WebSocketException e => e.Message.Contains("'401'", StringComparison.Ordinal),
        _ => false,
    };
}
