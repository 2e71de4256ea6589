using System.Collections.Concurrent;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Sessions;

/// <summary>
/// Unknown bed-device, station and patient keys, counted per client address on this node. A key
/// is 256 random bits, so no rate of guessing finds one; what a flood of wrong keys costs is the
/// database's time and the logs. Past SignIn:UnknownKeysPerAddress within SignIn:WindowSeconds,
/// that address's unknown keys are answered 429 with Retry-After, and the crossing is audited once
/// (<c>key_guessing</c>). A key that is right is never refused: a hospital's bed devices often
/// share one address (a gateway, NAT), and one faulty device must not silence the others.
/// </summary>
public sealed partial class KeyGuesses(
    Transactions transactions, DispatchMetrics metrics, IOptions<SignInOptions> options, TimeProvider time, ILogger<KeyGuesses> logger)
{
    /// <summary>Addresses remembered at most; past this, windows that have ended are forgotten, and if none has, all.</summary>
    private const int AddressesKept = 10_000;

    private readonly ConcurrentDictionary<string, Window> _byAddress = new();

    private sealed class Window(long startedAt)
    {
        public long StartedAt = startedAt;
        public int Count;
    }

    /// <summary>The refusal for an unknown key: 401 with <paramref name="sentence"/>, or 429 once the address has guessed too often.</summary>
    public async Task<RefusedException> RefuseAsync(string sentence, CancellationToken ct)
    {
        var limits = options.Value;
        var address = ClientAddress.Current ?? "unknown";
        var (count, secondsLeft) = Count(address, TimeSpan.FromSeconds(limits.WindowSeconds));
        if (count == limits.UnknownKeysPerAddress + 1)
        {
            Log.Guessing(logger, address, limits.UnknownKeysPerAddress, limits.WindowSeconds);
            await transactions.RunAsync((tx, token) => AuditLog.AppendAsync(tx, AuditLog.System, null, "key_guessing", null,
                $"more than {limits.UnknownKeysPerAddress} unknown keys from {address} within {limits.WindowSeconds} s", token), ct);
        }
        var throttled = count > limits.UnknownKeysPerAddress;
        metrics.CredentialsRefused(throttled ? CredentialRefused.KeyThrottled : CredentialRefused.UnknownKey);
        return throttled
            ? RefusedException.TooManyRequests($"Too many unknown keys from this address; try again in {secondsLeft} s.", secondsLeft)
            : RefusedException.Unauthorized(sentence, RefusalCodes.UnknownKey);
    }

    private (int Count, int SecondsLeft) Count(string address, TimeSpan length)
    {
        var now = time.GetTimestamp();
        if (_byAddress.Count >= AddressesKept)
        {
            foreach (var (key, _) in _byAddress.Where(w => time.GetElapsedTime(w.Value.StartedAt, now) >= length))
            {
                _byAddress.TryRemove(key, out _);
            }
            // Still full (a flood from many addresses at once): start afresh rather than scan on every request.
            if (_byAddress.Count >= AddressesKept)
            {
                _byAddress.Clear();
            }
        }
        var window = _byAddress.GetOrAdd(address, _ => new Window(now));
        lock (window)
        {
            if (time.GetElapsedTime(window.StartedAt, now) >= length)
            {
                window.StartedAt = now;
                window.Count = 0;
            }
            window.Count++;
            var left = length - time.GetElapsedTime(window.StartedAt, now);
            return (window.Count, Math.Max(1, (int)Math.Ceiling(left.TotalSeconds)));
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1060, LogLevel.Warning, "More than {Limit} unknown keys from {Address} within {WindowSeconds} s; its unknown keys get 429 until the window ends")]
        public static partial void Guessing(ILogger logger, string address, int limit, int windowSeconds);
    }
}
