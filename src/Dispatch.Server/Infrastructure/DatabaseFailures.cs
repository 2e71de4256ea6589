using System.Net.Sockets;
using MySqlConnector;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Which database failures mean "retry later" (503, and the same sentence on the hub) rather
/// than a defect (500): the one place HTTP and the hub ask.
/// </summary>
public static class DatabaseFailures
{
    /// <summary>MySQL/MariaDB error 1213: the transaction was rolled back and may be run again.</summary>
    public static bool IsDeadlock(Exception e) => e is MySqlException { ErrorCode: MySqlErrorCode.LockDeadlock };

    /// <summary>
    /// The database could not be reached, or the connection broke or timed out during the request
    /// (a server stopping, a pooled connection it had closed, a network cut). Before the commit the
    /// transaction is rolled back and nothing was saved; during it, see <see cref="CommitOutcomeUnknownException"/>.
    /// </summary>
    public static bool IsUnavailable(Exception e)
    {
        for (var cause = e; cause is not null; cause = cause.InnerException)
        {
            // EndOfStreamException (MySqlEndOfStreamException among them) is an IOException.
            if (cause is TimeoutException or IOException or SocketException
                or MySqlException { IsTransient: true }
                or MySqlException { ErrorCode: MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ServerShutdown
                    or MySqlErrorCode.ClientInteractionTimeout or MySqlErrorCode.CommandTimeoutExpired or MySqlErrorCode.QueryInterrupted }
                // 1290, --read-only: a failover's second host before it is promoted (docs/runbooks/database-failover.md).
                or MySqlException { ErrorCode: MySqlErrorCode.OptionPreventsStatement })
            {
                return true;
            }
        }
        return false;
    }
}
