using Dapper;
using Dispatch.Outbox;
using Dispatch.Server.Clinical;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;
using Polly;
using Polly.Registry;

namespace Dispatch.Server.Escalation;

/// <summary>
/// Escalates calls whose deadline has passed. Deadlines live in the calls table, so a restart
/// loses none. One process per database sweeps: the one holding the MySQL named lock; the others
/// wait inside GET_LOCK, which MariaDB grants the moment the holder's connection ends. The leader
/// sleeps until the next deadline (at most SweepIntervalMs), so an idle hospital costs about one
/// query a second. Each step re-checks, under the call's row lock, that the call is still due, so
/// two sweepers at once (around a takeover) never escalate a call twice. Holding the lock makes
/// this node the <see cref="ClusterLead"/>.
/// </summary>
public sealed partial class EscalationSweep(
    MySqlDataSource dataSource,
    CallEscalator escalator,
    ResiliencePipelineProvider<string> pipelines,
    OutboxSignal outboxSignal,
    ClusterLead lead,
    DispatchMetrics metrics,
    IOptions<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalationSweep> logger) : BackgroundService
{
    /// <summary>The named lock (per database) that makes one node the sweeper.</summary>
    private const string LockName = "dispatch.escalation";
    private const int BatchSize = 100;
    private static readonly TimeSpan s_leaseCheck = TimeSpan.FromSeconds(1);
    private readonly ResiliencePipeline _deadlockRetry = pipelines.GetPipeline(InfrastructureExtensions.DeadlockRetry);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var lease = await NamedLockLease.AcquireAsync(dataSource, LockName, stoppingToken);
                Log.Leading(logger);
                lead.Set(true);
                try
                {
                    await SweepWhileLeadingAsync(lease, stoppingToken);
                }
                finally
                {
                    lead.Set(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                // Database away: deadlines are in the database, so nothing is lost; lead again later.
                Log.SweepFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken);
            }
        }
    }

    /// <summary>Escalates every call now due, each in its own transaction. Returns how many moved up.</summary>
    public async Task<int> SweepOnceAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return (await SweepAsync(conn, ct)).Escalated;
    }

    private async Task SweepWhileLeadingAsync(NamedLockLease lease, CancellationToken ct)
    {
        var maxWait = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        var nextLeaseCheck = time.GetUtcNow() + s_leaseCheck;
        while (!ct.IsCancellationRequested)
        {
            if (time.GetUtcNow() >= nextLeaseCheck)
            {
                nextLeaseCheck = time.GetUtcNow() + s_leaseCheck;
                if (!await lease.StillHeldAsync(ct))
                {
                    return;
                }
            }
            var (_, untilNext) = await SweepAsync(lease.Connection, ct);
            await Task.Delay(untilNext is { } next && next < maxWait ? next : maxWait, time, ct);
        }
    }

    /// <summary>Escalates what is due; returns how many, and how long until the next deadline (null: none known).</summary>
    private async Task<(int Escalated, TimeSpan? UntilNext)> SweepAsync(MySqlConnection conn, CancellationToken ct)
    {
        var deadlines = (await conn.QueryAsync<(long CallId, long MicrosLeft)>(new CommandDefinition(
            EscalationQueries.NextDeadlines, new { Limit = BatchSize }, cancellationToken: ct))).ToList();

        var escalated = 0;
        foreach (var (callId, _) in deadlines.Where(d => d.MicrosLeft <= 0))
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

        var upcoming = deadlines.FirstOrDefault(d => d.MicrosLeft > 0);
        TimeSpan? untilNext = deadlines.Count == BatchSize && upcoming == default
            ? TimeSpan.Zero // a full batch was due: look again at once
            : upcoming == default ? null : TimeSpan.FromMicroseconds(upcoming.MicrosLeft);
        return (escalated, untilNext);
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

    private static partial class Log
    {
        [LoggerMessage(1200, LogLevel.Information, "This node now runs the escalation sweep")]
        public static partial void Leading(ILogger logger);

        [LoggerMessage(1201, LogLevel.Warning, "Call {CallId} escalated to level {Level}, now assigned to staff {StaffId}")]
        public static partial void Escalated(ILogger logger, long callId, int level, int? staffId);

        [LoggerMessage(1202, LogLevel.Warning, "Escalation sweep failed; retrying")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
