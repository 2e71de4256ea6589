using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>
/// Alarms a call that no station displayed within Display:AlarmSeconds: an audit row, a metric,
/// and CallNotDisplayed to the ward's stations and to its department's managers and
/// administration. The cluster's lead checks; the update of display_alarm_at lets exactly one
/// alarm, also around a change of lead.
/// </summary>
public sealed partial class DisplayWatch(
    MySqlDataSource dataSource,
    IClientGroups clients,
    DispatchMetrics metrics,
    IOptions<DisplayOptions> options,
    ClusterLead lead,
    TimeProvider time,
    ILogger<DisplayWatch> logger) : PeriodicDatabaseWork(time, logger, lead)
{
    private sealed record UndisplayedCall(long CallId, int WardId, string WardName, string Kind);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var calls = (await conn.QueryAsync<UndisplayedCall>(new CommandDefinition(
            DisplayQueries.Undisplayed, new { options.Value.AlarmSeconds }, cancellationToken: ct))).ToList();
        foreach (var call in calls)
        {
            await using var tx = await conn.BeginTransactionAsync(ct);
            if (await conn.ExecuteAsync(new CommandDefinition(DisplayQueries.ClaimAlarm, new { call.CallId }, tx, cancellationToken: ct)) != 1)
            {
                await tx.RollbackAsync(ct);
                continue;
            }
            var alert = new DisplayAlert(call.CallId, call.WardId, call.Kind,
                $"Call {call.CallId} ({call.Kind}) of ward {call.WardName} has been on no screen for {options.Value.AlarmSeconds} s.");
            await AuditLog.AppendAsync(tx, AuditLog.System, null, "display_missing", call.CallId, alert.Message, ct);
            var recipients = (await conn.QueryAsync<int>(new CommandDefinition(SupervisionQueries.Recipients, new { call.WardId }, tx, cancellationToken: ct))).ToList();
            await tx.CommitAsync(ct);

            await clients.Ward(call.WardId).CallNotDisplayed(alert);
            await Task.WhenAll(recipients.Select(id => clients.Staff(id).CallNotDisplayed(alert)));
            metrics.DisplayMissing();
            Log.Alarmed(logger, call.CallId, call.WardId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1811, LogLevel.Warning, "Call {CallId} of ward {WardId} was displayed by no station in time; alarmed")]
        public static partial void Alarmed(ILogger logger, long callId, int wardId);
    }
}
