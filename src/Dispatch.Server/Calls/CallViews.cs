using Dapper;
using Dispatch.Contracts;
using MySqlConnector;

namespace Dispatch.Server.Calls;

/// <summary>Reads a call as stations show it, inside the transaction that changed it.</summary>
internal static class CallViews
{
    public static async Task<CallView> ReadAsync(MySqlTransaction tx, long callId, CancellationToken ct) =>
        (await tx.Connection!.QuerySingleAsync<CallViewRow>(new CommandDefinition(
            CallQueries.ViewById, new { CallId = callId }, tx, cancellationToken: ct))).ToView();
}
