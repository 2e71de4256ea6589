using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Dispatch.Server.Sessions;

/// <summary>How password guessing is slowed down (see <see cref="SignInThrottle"/>).</summary>
public sealed class SignInOptions : IValidatableObject
{
    public const string Section = "SignIn";

    /// <summary>Failed sign-ins for one username within the window; the next is refused with 429, whatever its password.</summary>
    [Range(1, 10_000)]
    public int FailuresPerUsername { get; set; } = 10;

    /// <summary>Failed sign-ins from one client address (behind nginx: the X-Forwarded-For it sets) within the window.</summary>
    [Range(1, 100_000)]
    public int FailuresPerAddress { get; set; } = 30;

    [Range(1, 3600)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Unknown device, station or patient keys from one client address within the window (per node; see <see cref="KeyGuesses"/>).</summary>
    [Range(1, 100_000)]
    public int UnknownKeysPerAddress { get; set; } = 30;

    /// <summary>
    /// Password checks (PBKDF2, about 0.25 s of a core each) running at once on this node; more
    /// wait their turn, so a flood of sign-ins cannot take every core from the calls.
    /// </summary>
    [Range(1, 64)]
    public int ConcurrentPasswordChecks { get; set; } = 1;

    /// <summary>
    /// Proxies whose X-Forwarded-For names the client (nginx on another host); nginx on the same
    /// host (loopback) is trusted without being listed. Anyone else's header is ignored.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        TrustedProxies.Where(proxy => !IPAddress.TryParse(proxy, out _))
            .Select(proxy => new ValidationResult($"SignIn:TrustedProxies: '{proxy}' is not an IP address.", [nameof(TrustedProxies)]));
}
