using Dispatch.Outbox;
using MySqlConnector;
using Polly;
using Polly.Registry;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// The one way a change is written: a transaction retried as a whole on deadlock (1213; 50, 100
/// and 200 ms apart, then the caller answers 503), committed, then the outbox relay woken so that
/// an event it wrote goes out now rather than at the relay's next poll. A <c>RefusedException</c>
/// (or any exception) inside the work rolls it back, so a refusal changes nothing.
/// </summary>
public sealed class Transactions(MySqlDataSource dataSource, ResiliencePipelineProvider<string> pipelines, OutboxSignal outboxSignal)
{
    private readonly ResiliencePipeline _deadlockRetry = pipelines.GetPipeline(InfrastructureExtensions.DeadlockRetry);

    public async Task<T> RunAsync<T>(Func<MySqlTransaction, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var result = await _deadlockRetry.ExecuteAsync(async token =>
        {
            await using var conn = await dataSource.OpenConnectionAsync(token);
            await using var tx = await conn.BeginTransactionAsync(token);
            var value = await work(tx, token);
            await tx.CommitAsync(token);
            return value;
        }, ct);
        outboxSignal.Notify();
        return result;
    }

    public Task RunAsync(Func<MySqlTransaction, CancellationToken, Task> work, CancellationToken ct) =>
        RunAsync(async (tx, token) =>
        {
            await work(tx, token);
            return true;
        }, ct);
}
