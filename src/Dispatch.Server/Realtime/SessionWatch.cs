using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The session heartbeat: every HeartbeatSeconds, the sessions behind this node's live
/// connections are checked in one query; a connection whose session was revoked (or expired) is
/// told so with code 4401 and closed. Clients do not reconnect after 4401.
/// </summary>
public sealed partial class SessionWatch(
    MySqlDataSource dataSource,
    ConnectionRegistry connections,
    IHubContext<DispatchHub, IDispatchClient> hub,
    IOptions<StaffSessionOptions> options,
    TimeProvider time,
    ILogger<SessionWatch> logger) : PeriodicDatabaseWork(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);

    /// <summary>Closes the live connections of ended sessions.</summary>
    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        var live = connections.SessionIds;
        if (live.Count == 0)
        {
            return;
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var ended = (await conn.QueryAsync<long>(new CommandDefinition(SessionQueries.EndedAmong, new { Ids = live }, cancellationToken: ct))).ToHashSet();
        var closing = connections.OfSessions(ended);
        if (closing.Count == 0)
        {
            return;
        }
        var notice = new SessionClosedNotice(SessionClosedNotice.Revoked, "Your session was ended (signed out, revoked or expired). Sign in again.");
        await hub.Clients.Clients([.. closing.Select(c => c.ConnectionId)]).SessionClosed(notice);
        // Clients close by themselves on the notice; aborting at once would drop it unsent.
        await Task.Delay(s_closeGrace, Time, ct);
        foreach (var context in closing)
        {
            context.Abort();
            Log.Closed(logger, context.ConnectionId);
        }
    }

    private static readonly TimeSpan s_closeGrace = TimeSpan.FromMilliseconds(500);

    private static partial class Log
    {
        [LoggerMessage(1500, LogLevel.Information, "Closed connection {ConnectionId}: its session ended (4401)")]
        public static partial void Closed(ILogger logger, string connectionId);
    }
}
