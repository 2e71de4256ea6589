using System.ComponentModel.DataAnnotations;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Ops;
using Dispatch.Server.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

public static class SupervisionExtensions
{
    public static IHostApplicationBuilder AddSupervision(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SupervisionOptions>().BindConfiguration(SupervisionOptions.Section).ValidateDataAnnotations()
            // A connected screen is stamped once per node heartbeat: a shorter bound would report it while it is there.
            .Validate<IOptions<OpsOptions>>((supervision, ops) => supervision.StationSilentSeconds > ops.Value.HeartbeatSeconds,
                "Supervision:StationSilentSeconds must be longer than Ops:HeartbeatSeconds, which stamps the connected station screens.")
            .ValidateOnStart();
        builder.Services.AddHostedService<WardSupervision>();
        builder.Services.AddSingleton<StationSupervisor>();
        builder.Services.AddHostedService<DeviceSupervision>();
        builder.Services.AddOptions<DisplayOptions>().BindConfiguration(DisplayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DisplayReceipts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DisplayReceipts>());
        builder.Services.AddHostedService<DisplayWatch>();
        return builder;
    }
}

public sealed class SupervisionOptions
{
    public const string Section = "Supervision";

    /// <summary>How often wards with open calls are checked for a connected station.</summary>
    [Range(1, 600)]
    public int CheckSeconds { get; set; } = 10;

    /// <summary>A ward still unwatched is reported again after this long.</summary>
    [Range(10, 86_400)]
    public int RepeatSeconds { get; set; } = 300;

    /// <summary>A bed device that has reported before and is silent this long gets a trouble call at its bed.</summary>
    [Range(1, 86_400)]
    public int DeviceSilentSeconds { get; set; } = 180;

    /// <summary>
    /// A station screen that identified itself and has been connected to no node this long is
    /// reported to its ward. Above the nodes' heartbeat interval (Ops:HeartbeatSeconds), which stamps it.
    /// </summary>
    [Range(1, 86_400)]
    public int StationSilentSeconds { get; set; } = 60;
}

/// <summary>
/// A ward with open calls and no station watching it anywhere in the cluster is reported to its
/// department's managers and to administration (hub message WardUnwatched), written to the audit
/// log and counted. The cluster's lead checks (from every node's heartbeat row); a row in
/// ward_alerts makes exactly one node report each ward, once per repeat interval, also around a
/// change of lead.
/// </summary>
public sealed partial class WardSupervision(
    MySqlDataSource dataSource,
    IHubContext<DispatchHub, IDispatchClient> hub,
    DispatchMetrics metrics,
    IOptions<SupervisionOptions> options,
    ClusterLead lead,
    TimeProvider time,
    ILogger<WardSupervision> logger) : PeriodicDatabaseWork(time, logger, lead)
{
    private sealed record UnwatchedWard(int WardId, string WardName, long OpenCalls);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var wards = (await conn.QueryAsync<UnwatchedWard>(new CommandDefinition(
            SupervisionQueries.UnwatchedWards, new { options.Value.RepeatSeconds }, cancellationToken: ct))).ToList();
        foreach (var ward in wards)
        {
            var alert = new WardAlert(ward.WardId, ward.WardName, ward.OpenCalls,
                $"Ward {ward.WardName} has {ward.OpenCalls} open call(s) and no nurse station connected.");
            var recipients = await ClaimAsync(conn, ward.WardId, alert, ct);
            if (recipients is null)
            {
                continue;
            }
            await Task.WhenAll(recipients.Select(id => hub.Clients.Group(HubGroups.Staff(id)).WardUnwatched(alert)));
            metrics.WardUnwatched();
            Log.Unwatched(logger, ward.WardId, ward.OpenCalls);
        }
    }

    /// <summary>Claims this report for this node (first, or once the repeat interval passed) and audits it; null when another node has it.</summary>
    private async Task<IReadOnlyList<int>?> ClaimAsync(MySqlConnection conn, int wardId, WardAlert alert, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        var claim = new { WardId = wardId, options.Value.RepeatSeconds };
        var ours = await conn.ExecuteAsync(new CommandDefinition(SupervisionQueries.ClaimFirstAlert, claim, tx, cancellationToken: ct)) == 1
            || await conn.ExecuteAsync(new CommandDefinition(SupervisionQueries.ClaimRepeatAlert, claim, tx, cancellationToken: ct)) == 1;
        if (!ours)
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        await AuditLog.AppendAsync(tx, AuditLog.System, null, "ward_unwatched", null, alert.Message, ct);
        var recipients = (await conn.QueryAsync<int>(new CommandDefinition(SupervisionQueries.Recipients, new { WardId = wardId }, tx, cancellationToken: ct))).ToList();
        await tx.CommitAsync(ct);
        return recipients;
    }

    private static partial class Log
    {
        [LoggerMessage(1800, LogLevel.Warning, "Ward {WardId} has {OpenCalls} open call(s) and no connected station; managers alerted")]
        public static partial void Unwatched(ILogger logger, int wardId, long openCalls);
    }
}
