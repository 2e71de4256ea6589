using Dapper;
using Dispatch.Server.Calls;
using Dispatch.Server.Data;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>
/// Bed devices that have reported a heartbeat and then fall silent past
/// Supervision:DeviceSilentSeconds get a "trouble" call at their bed (the lowest band, so it never
/// hides a patient's call), once per silence; the device's next heartbeat clears it. A device that
/// never reported is not supervised (not installed yet). Every node checks; the device row's lock
/// lets one raise it.
/// </summary>
public sealed partial class DeviceSupervision(
    MySqlDataSource dataSource,
    CallService calls,
    DispatchMetrics metrics,
    IOptions<SupervisionOptions> options,
    TimeProvider time,
    ILogger<DeviceSupervision> logger) : PeriodicDatabaseWork(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var silentSeconds = options.Value.DeviceSilentSeconds;
        IReadOnlyList<int> silent;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            silent = [.. await conn.QueryAsync<int>(new CommandDefinition(
                CallQueries.SilentDevices, new { SilentSeconds = silentSeconds }, cancellationToken: ct))];
        }
        foreach (var deviceId in silent)
        {
            if (await calls.RaiseDeviceTroubleAsync(deviceId, silentSeconds, ct) is { } call)
            {
                metrics.TroubleRaised();
                Log.Silent(logger, deviceId, call.Id);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1820, LogLevel.Warning, "Bed device {DeviceId} is silent; trouble call {CallId} raised at its bed")]
        public static partial void Silent(ILogger logger, int deviceId, long callId);
    }
}
