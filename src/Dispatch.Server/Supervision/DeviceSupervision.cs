using Dapper;
using Dispatch.Server.Calls;
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
    ILogger<DeviceSupervision> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(settings.CheckSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                IReadOnlyList<int> silent;
                await using (var conn = await dataSource.OpenConnectionAsync(stoppingToken))
                {
                    silent = [.. await conn.QueryAsync<int>(new CommandDefinition(
                        CallQueries.SilentDevices, new { SilentSeconds = settings.DeviceSilentSeconds }, cancellationToken: stoppingToken))];
                }
                foreach (var deviceId in silent)
                {
                    if (await calls.RaiseDeviceTroubleAsync(deviceId, settings.DeviceSilentSeconds, stoppingToken) is { } call)
                    {
                        metrics.TroubleRaised();
                        Log.Silent(logger, deviceId, call.Id);
                    }
                }
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                Log.CheckFailed(logger, e);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1820, LogLevel.Warning, "Bed device {DeviceId} is silent; trouble call {CallId} raised at its bed")]
        public static partial void Silent(ILogger logger, int deviceId, long callId);

        [LoggerMessage(1821, LogLevel.Warning, "Device supervision check failed; retrying at the next one")]
        public static partial void CheckFailed(ILogger logger, Exception exception);
    }
}
