using Dapper;
using Dispatch.Server.Clinical;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Escalation;

/// <summary>
/// Escalates calls whose deadline has passed. Deadlines live in the calls table, so a restart
/// loses none. Only the <see cref="ClusterLead"/> sweeps. It sleeps until the next deadline (at
/// most SweepIntervalMs), so an idle hospital costs about one query a second. Each step re-checks,
/// under the call's row lock, that the call is still due, so two sweepers at once (around a
/// takeover) never escalate a call twice.
/// </summary>
public sealed partial class EscalationSweep(
    MySqlDataSource dataSource,
    CallEscalator escalator,
    Transactions transactions,
    ClusterLead lead,
    DispatchMetrics metrics,
    IOptions<EscalationOptions> options,
    TimeProvider time,
    ILogger<EscalationSweep> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await lead.WhenLeadingAsync(stoppingToken);
                Log.Leading(logger);
                await SweepWhileLeadingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                // Database away: deadlines are in the database, so nothing is lost; sweep again later.
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

    /// <summary>One connection for the whole lead: an idle sweep costs no pool round trips.</summary>
    private async Task SweepWhileLeadingAsync(CancellationToken ct)
    {
        var maxWait = TimeSpan.FromMilliseconds(options.Value.SweepIntervalMs);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        while (lead.IsLeading)
        {
            var (_, untilNext) = await SweepAsync(conn, ct);
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
        var upcoming = deadlines.FirstOrDefault(d => d.MicrosLeft > 0);
        TimeSpan? untilNext = deadlines.Count == BatchSize && upcoming == default
            ? TimeSpan.Zero // a full batch was due: look again at once
            : upcoming == default ? null : TimeSpan.FromMicroseconds(upcoming.MicrosLeft);
        return (escalated, untilNext);
    }

    private async Task<bool> EscalateIfStillDueAsync(long callId, CancellationToken ct)
    {
        var view = await transactions.RunAsync(async (tx, token) =>
        {
            var call = await tx.Connection!.QuerySingleOrDefaultAsync<EscalatingCall>(new CommandDefinition(
                EscalationQueries.LockIfDue, new { CallId = callId, EscalationLadder.TopLevel }, tx, cancellationToken: token));
            return call is null
                ? null
                : await escalator.EscalateAsync(tx, call, "not acknowledged in time", excludeStaffId: call.AssignedStaffId, token);
        }, ct);
        if (view is null)
        {
            return false;
        }
        metrics.Escalated(view.EscalationLevel);
        Log.Escalated(logger, callId, view.EscalationLevel, view.AssignedStaffId);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(1200, LogLevel.Information, "This node now runs the escalation sweep (it leads the cluster)")]
        public static partial void Leading(ILogger logger);

        [LoggerMessage(1201, LogLevel.Warning, "Call {CallId} escalated to level {Level}, now assigned to staff {StaffId}")]
        public static partial void Escalated(ILogger logger, long callId, int level, int? staffId);

        [LoggerMessage(1202, LogLevel.Warning, "Escalation sweep failed; retrying")]
        public static partial void SweepFailed(ILogger logger, Exception exception);
    }
}
