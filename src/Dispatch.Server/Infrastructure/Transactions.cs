using Dispatch.Outbox;
using MySqlConnector;
using Polly;
using Polly.Registry;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// The one way a change is written: a transaction retried as a whole on deadlock (1213; 50, 100
/// and 200 ms apart, then the caller answers 503), committed, then the outbox relay woken so that
/// an event it wrote goes out now rather than at the relay's next poll. A dead pooled connection
/// is replaced once before the work starts (<see cref="DatabaseFailures"/>). A <c>RefusedException</c>
/// (or any exception) inside the work rolls it back, so a refusal changes nothing; a connection
/// that breaks during the commit itself is a <see cref="CommitOutcomeUnknownException"/>.
/// </summary>
public sealed class Transactions(MySqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines, OutboxSignal outboxSignal)
{
    private readonly ResiliencePipeline _deadlockRetry = pipelines.GetPipeline(InfrastructureExtensions.DeadlockRetry);

    public async Task<T> RunAsync<T>(Func<MySqlTransaction, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var result = await _deadlockRetry.ExecuteAsync(async token =>
        {
            var (conn, tx) = await BeginAsync(token);
            await using (conn)
            await using (tx)
            {
                var value = await work(tx, token);
                await CommitAsync(tx, token);
                return value;
            }
        }, ct);
        outboxSignal.Notify();
        return result;
    }

    /// <summary>
    /// A break during COMMIT does not say whether the database committed (it may have, and lost
    /// only its reply). Should it have, the relay is woken for the event, as after any commit.
    /// </summary>
    private async Task CommitAsync(MySqlTransaction tx, CancellationToken ct)
    {
        try
        {
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (DatabaseFailures.IsUnavailable(e))
        {
            outboxSignal.Notify();
            throw new CommitOutcomeUnknownException(e);
        }
    }

    /// <summary>
    /// A pooled connection that the database closed (it restarted, or dropped idle connections)
    /// fails at its first use, before anything of the work was sent: the pool is emptied of such
    /// connections and the transaction begun once more on a fresh one.
    /// </summary>
    private async Task<(MySqlConnection, MySqlTransaction)> BeginAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var conn = await dataSource.OpenConnectionAsync(ct);
            try
            {
                return (conn, await conn.BeginTransactionAsync(ct));
            }
            catch (Exception e) when (attempt == 1 && DatabaseFailures.IsUnavailable(e))
            {
                await MySqlConnection.ClearPoolAsync(conn, ct);
                await conn.DisposeAsync();
            }
            catch
            {
                await conn.DisposeAsync();
                throw;
            }
        }
    }

    public Task RunAsync(Func<MySqlTransaction, CancellationToken, Task> work, CancellationToken ct) =>
        RunAsync(async (tx, token) =>
        {
            await work(tx, token);
            return true;
        }, ct);
}
