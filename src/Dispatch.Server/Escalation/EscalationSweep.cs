using Dapper;
using Dispatch.Outbox;
using Dispatch.Server.Data;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;
using Polly;
using Polly.Registry;

namespace Dispatch.Server.Escalation;

/// <summary>
/// Escalates calls whose deadline has passed. Deadlines live in the calls table, so a restart
/// loses none. One process per database sweeps: the one holding the MySQL named lock (released
/// by the server if that process or its connection dies, so another takes over at its next
/// tick). Each step also re-checks, under the call's row lock, that the call is still due, so
/// two sweepers running at once never escalate a call twice.
/// </summary>
public sealed partial class EscalationSweep(
    MySqlDataSource dataSource,
    CallEscalator escalator,
    ResiliencePipelineProvider<string> pipelines,
    OutboxSignal outboxSignal,
    DispatchMetrics metrics,
    IOptions<EscalationOptions> options,
    ILogger<EscalationSweep> logger) : BackgroundService
{
    private const int BatchSize = 100;
    private readonly ResiliencePipeline _deadlockRetry = pipelines.GetPipeline(DataExtensions.DeadlockRetry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs));
        MySqlConnection? lease = null;
        try
        {
            do
            {
                try
                {
                    lease = await KeepLeadAsync(lease, stoppingToken);
                    if (lease is not null)
                    {
                        await SweepOnceAsync(stoppingToken);
                    }
                }
                catch (Exception e) when (e is MySqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    // Database away: deadlines are in the database, so nothing is lost; try again next tick.
                    Log.SweepFailed(logger, e);
                    if (lease is not null)
                    {
                        await lease.DisposeAsync();
                        lease = null;
                    }
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
        finally
        {
            if (lease is not null)
            {
                await lease.DisposeAsync();
            }
        }
    }

    /// <summary>Escalates every call now due, each in its own transaction. Returns how many moved up.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        List<long> due;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            due = (await conn.QueryAsync<long>(new CommandDefinition(EscalationQueries.DueCalls, new { Limit = BatchSize }, cancellationToken: ct))).ToList();
        }

        var escalated = 0;
        foreach (var callId in due)
        {
            if (await EscalateIfStillDueAsync(callId, ct))
            {
                escalated++;
            }
        }
        if (escalated > 0)
        {
            outboxSignal.Notify();
        }
        return escalated;
    }

    private async Task<bool> EscalateIfStillDueAsync(long callId, CancellationToken ct) =>
        await _deadlockRetry.ExecuteAsync(async token =>
        {
            await using var conn = await dataSource.OpenConnectionAsync(token);
            await using var tx = await conn.BeginTransactionAsync(token);
            var call = await conn.QuerySingleOrDefaultAsync<EscalatingCall>(new CommandDefinition(
                EscalationQueries.LockIfDue, new { CallId = callId }, tx, cancellationToken: token));
            if (call is null)
            {
                return false;
            }
            var view = await escalator.EscalateAsync(tx, call, "not acknowledged in time", excludeStaffId: call.AssignedStaffId, token);
            await tx.CommitAsync(token);
            metrics.Escalated(view.EscalationLevel);
            Log.Escalated(logger, callId, view.EscalationLevel, view.AssignedStaffId);
            return true;
        }, ct);

    /// <summary>Keeps (or tries to take) the sweep's named lock; returns the connection holding it, or null.</summary>
    private async Task<MySqlConnection?> KeepLeadAsync(MySqlConnection? lease, CancellationToken ct)
    {
        if (lease is not null)
        {
            if (await lease.ExecuteScalarAsync<long?>(new CommandDefinition(EscalationQueries.StillLeading, cancellationToken: ct)) == 1)
            {
                return lease;
            }
            await lease.DisposeAsync();
        }

        var conn = await dataSource.OpenConnectionAsync(ct);
        if (await conn.ExecuteScalarAsync<long?>(new CommandDefinition(EscalationQueries.TryLead, cancellationToken: ct)) == 1)
        {
            Log.Leading(logger);
            return conn;
        }
        await conn.DisposeAsync();
        return null;
    }

    private static partial class Log
    {
        [LoggerMessage(1200, LogLevel.Information, "This node now runs the escalation sweep")]
        public static partial void Leading(ILogger logger);

        [LoggerMessage(1201, LogLevel.Warning, "Call {CallId} escalated to level {Level}, now assigned to staff {StaffId}")]
        public static partial void Escalated(ILogger logger, long callId, int level, int? staffId);

        [LoggerMessage(1202, LogLevel.Warning, "Escalation sweep failed; retrying at the next tick")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
