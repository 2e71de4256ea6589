using Dapper;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Sessions;

/// <summary>
/// Slows password guessing down, on every node alike (the failures are in the database): a
/// username or a client address with too many recent failures is refused (429, with when to try
/// again) before its password is checked; each failure is recorded and audited with the address.
/// Password checks run a bounded number at a time, and an unknown username costs the same check,
/// so neither a flood nor the time of an answer tells anything or starves the calls.
/// </summary>
public sealed class SignInThrottle(MySqlDataSource dataSource, Transactions transactions, DispatchMetrics metrics, IOptions<SignInOptions> options) : IDisposable
{
    // Checked when the username is unknown, so that its answer takes as long as a wrong password's.
    private static readonly string s_decoy = PasswordHasher.Hash(Secrets.NewToken());
    private readonly SemaphoreSlim _checks = new(options.Value.ConcurrentPasswordChecks);

    /// <summary>Throws a 429 refusal when the username or the address has failed too often lately.</summary>
    public async Task ThrowIfThrottledAsync(string username, string address, CancellationToken ct)
    {
        var limits = options.Value;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var recent = await conn.QuerySingleAsync<RecentFailures>(new CommandDefinition(SessionQueries.RecentSignInFailures,
            new { Username = username, Address = address, limits.WindowSeconds }, cancellationToken: ct));
        if (recent.ByUsername >= limits.FailuresPerUsername || recent.ByAddress >= limits.FailuresPerAddress)
        {
            metrics.CredentialsRefused(CredentialRefused.PasswordThrottled);
            var retryAfter = (int)Math.Ceiling(Math.Max(1, recent.SecondsUntilOldestLeaves));
            throw RefusedException.TooManyRequests(
                $"Too many failed sign-ins for this username or from this address; try again in {retryAfter} s.", retryAfter);
        }
    }

    /// <summary>Whether the password matches the stored hash (or, for an unknown username, a decoy): one check at a time per node.</summary>
    public async Task<bool> CheckPasswordAsync(string password, string? storedHash, CancellationToken ct)
    {
        await _checks.WaitAsync(ct);
        try
        {
            return PasswordHasher.Verify(password, storedHash ?? s_decoy) && storedHash is not null;
        }
        finally
        {
            _checks.Release();
        }
    }

    /// <summary>
    /// Records and audits a wrong password (the staff member when the username is known);
    /// <paramref name="action"/> is the audit's: login_failed or password_change_failed.
    /// </summary>
    public Task RecordFailureAsync(string username, string address, int? staffId, string action, CancellationToken ct)
    {
        metrics.CredentialsRefused(CredentialRefused.WrongPassword);
        return transactions.RunAsync(async (tx, token) =>
        {
            await tx.Connection!.ExecuteAsync(new CommandDefinition(SessionQueries.InsertSignInFailure,
                new { Username = username, Address = address }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, staffId, action, null, $"username '{username}' from {address}", token);
        }, ct);
    }

    public void Dispose() => _checks.Dispose();

    private sealed record RecentFailures(long ByUsername, long ByAddress, double SecondsUntilOldestLeaves);
}
