using Dapper;
using Dispatch.Server.Calls;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>
/// Devices that have reported and then fall silent. A bed device silent past
/// Supervision:DeviceSilentSeconds gets a "trouble" call at its bed (the lowest band, so it never
/// hides a patient's call), once per silence; its next heartbeat clears it. A station screen
/// silent past Supervision:StationSilentSeconds is reported to its ward and back again by the
/// <see cref="StationSupervisor"/>. A device that never reported is not supervised (not installed
/// yet). A line from the primary nurse-call system is reported by the <see cref="LineSupervisor"/>.
/// The cluster's lead checks; the device row's lock lets one node act, also around a change of lead.
/// </summary>
public sealed partial class DeviceSupervision(
    MySqlDataSource dataSource,
    CallService calls,
    StationSupervisor stations,
    LineSupervisor lines,
    DispatchMetrics metrics,
    IOptions<SupervisionOptions> options,
    ClusterLead lead,
    TimeProvider time,
    ILogger<DeviceSupervision> logger) : PeriodicDatabaseWork(time, logger, lead)
{
    private sealed record DeviceFinding(int DeviceId, string Finding);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var (bedSilentSeconds, stationSilentSeconds, lineSilentSeconds) =
            (options.Value.DeviceSilentSeconds, options.Value.StationSilentSeconds, options.Value.LineSilentSeconds);
        IReadOnlyList<DeviceFinding> findings;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            findings = [.. await conn.QueryAsync<DeviceFinding>(new CommandDefinition(SupervisionQueries.DeviceFindings,
                new { BedSilentSeconds = bedSilentSeconds, StationSilentSeconds = stationSilentSeconds, LineSilentSeconds = lineSilentSeconds }, cancellationToken: ct))];
        }
        foreach (var (deviceId, finding) in findings)
        {
            switch (finding)
            {
                case "bed_silent" when await calls.RaiseDeviceTroubleAsync(deviceId, bedSilentSeconds, ct) is { } call:
                    metrics.TroubleRaised("bed");
                    Log.BedSilent(logger, deviceId, call.Id);
                    break;
                case "station_silent" when await stations.ReportSilentAsync(deviceId, stationSilentSeconds, ct) is { } station:
                    metrics.TroubleRaised("station");
                    Log.StationSilent(logger, station.Name, station.WardId);
                    break;
                case "station_back" when await stations.ReportBackAsync(deviceId, ct) is { } station:
                    Log.StationBack(logger, station.Name, station.WardId);
                    break;
                case "line_silent" when await lines.ReportSilentAsync(deviceId, lineSilentSeconds, ct) is { } line:
                    metrics.TroubleRaised("line");
                    Log.LineSilent(logger, line.Name, lineSilentSeconds);
                    break;
                case "line_back" when await lines.ReportBackAsync(deviceId, ct) is { } line:
                    Log.LineBack(logger, line.Name);
                    break;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1820, LogLevel.Warning, "Bed device {DeviceId} is silent; trouble call {CallId} raised at its bed")]
        public static partial void BedSilent(ILogger logger, int deviceId, long callId);

        [LoggerMessage(1821, LogLevel.Warning, "Station '{Station}' of ward {WardId} is silent; its ward is told")]
        public static partial void StationSilent(ILogger logger, string station, int wardId);

        [LoggerMessage(1822, LogLevel.Information, "Station '{Station}' of ward {WardId} is connected again")]
        public static partial void StationBack(ILogger logger, string station, int wardId);

        [LoggerMessage(1823, LogLevel.Warning, "Line '{Line}' from the primary nurse-call system has not been heard for more than {Seconds} s")]
        public static partial void LineSilent(ILogger logger, string line, int seconds);

        [LoggerMessage(1824, LogLevel.Information, "Line '{Line}' from the primary nurse-call system is heard again")]
        public static partial void LineBack(ILogger logger, string line);
    }
}
