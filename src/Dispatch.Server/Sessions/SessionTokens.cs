using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using MySqlConnector;

namespace Dispatch.Server.Sessions;

/// <summary>
/// The staff member behind an opaque session token: "Authorization: Bearer TOKEN", or for the hub
/// the access_token query parameter (browsers cannot set headers on a WebSocket). A revoked or
/// expired session is refused on its next request or connection.
/// </summary>
public sealed class SessionTokens(MySqlDataSource dataSource, ReplicaReads replica)
{
    public static string? Read(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        return request.Path.StartsWithSegments(DispatchHubMethods.Route) ? request.Query["access_token"].ToString() : null;
    }

    /// <summary>
    /// Null for a token that is unknown, expired or revoked. <paramref name="mayLag"/>: read on the
    /// replica while it is healthy (the polling fallback's requests, so that polling screens do not
    /// load the primary); a revocation reaches it within the replica's lag bound
    /// (Database:ReplicaMaxLagSeconds).
    /// </summary>
    public async Task<StaffUser?> FindAsync(string token, bool mayLag, CancellationToken ct)
    {
        await using var conn = mayLag ? (await replica.OpenAsync(ct)).Connection : await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<StaffUser>(new CommandDefinition(
            SessionQueries.FindActiveByTokenHash, new { TokenHash = Secrets.Hash(token) }, cancellationToken: ct));
    }
}
