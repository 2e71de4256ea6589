using Dapper;
using MySqlConnector;

namespace Dispatch.Outbox;

/// <summary>
/// Leadership by a MariaDB/MySQL named lock: one holder per lock name and database. The lock lives
/// on the lease's own connection, so it ends the moment that connection does (a crashed holder
/// hands over at once); a waiter waits inside GET_LOCK, which the server grants in that moment.
/// The bridge leads the relay this way, and one server node the escalation sweep.
/// </summary>
public sealed class NamedLockLease : IAsyncDisposable
{
    private static readonly TimeSpan s_waitEach = TimeSpan.FromSeconds(10);
    private readonly string _lockName;

    private NamedLockLease(MySqlConnection connection, string lockName) => (Connection, _lockName) = (connection, lockName);

    /// <summary>The connection holding the lock; the leader may use it for its own queries.</summary>
    public MySqlConnection Connection { get; }

    /// <summary>
    /// Blocks until this process holds the lock named <paramref name="name"/> (scoped to the
    /// connection's database). Database errors propagate to the caller, who decides how to wait.
    /// </summary>
    public static async Task<NamedLockLease> AcquireAsync(MySqlDataSource dataSource, string name, CancellationToken ct)
    {
        while (true)
        {
            var conn = await dataSource.OpenConnectionAsync(ct);
            try
            {
                var lockName = await conn.ExecuteScalarAsync<string>(new CommandDefinition(
                    "SELECT CONCAT(@Name, '.', DATABASE())", new { Name = name }, cancellationToken: ct));
                if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT GET_LOCK(@LockName, @Seconds)",
                    new { LockName = lockName, Seconds = (int)s_waitEach.TotalSeconds }, cancellationToken: ct)) == 1)
                {
                    return new NamedLockLease(conn, lockName!);
                }
            }
            catch
            {
                await conn.DisposeAsync();
                throw;
            }
            await conn.DisposeAsync();
        }
    }

    /// <summary>False once another connection holds the lock, or this one lost it.</summary>
    public async Task<bool> StillHeldAsync(CancellationToken ct) =>
        await Connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT IS_USED_LOCK(@LockName) = CONNECTION_ID()", new { LockName = _lockName }, cancellationToken: ct)) == 1;

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
