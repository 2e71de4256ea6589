using Dispatch.Outbox;
using MySqlConnector;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Takes the cluster's lead when no other node holds it (a MariaDB named lock, one holder per
/// database; a waiting node is granted it the moment the holder's connection ends), checks every
/// second that it still holds it, and sets <see cref="ClusterLead"/> accordingly. A database that
/// is away ends the lead; the node tries again a second later.
/// </summary>
public sealed partial class ClusterLeadership(MySqlDataSource dataSource, ClusterLead lead, TimeProvider time, ILogger<ClusterLeadership> logger)
    : BackgroundService
{
    // The name predates this component (the sweep held it alone): nodes of the previous version
    // and of this one then agree on one lead during a rolling upgrade.
    private const string LockName = "dispatch.escalation";
    private static readonly TimeSpan s_check = TimeSpan.FromSeconds(1);

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
                    while (await lease.StillHeldAsync(stoppingToken))
                    {
                        await Task.Delay(s_check, time, stoppingToken);
                    }
                }
                finally
                {
                    lead.Set(false);
                }
                Log.LeadLost(logger, null);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                Log.LeadLost(logger, e);
                await Task.Delay(s_check, time, stoppingToken);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1020, LogLevel.Information, "This node now leads the cluster's once-per-cluster work (escalation sweep, supervision)")]
        public static partial void Leading(ILogger logger);

        [LoggerMessage(1021, LogLevel.Warning, "This node no longer leads; waiting to lead again")]
        public static partial void LeadLost(ILogger logger, Exception? exception);
    }
}
