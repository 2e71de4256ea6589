using System.Text.Encodings.Web;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Sessions;

/// <summary>
/// Authenticates staff by their opaque session token: "Authorization: Bearer TOKEN", or for the
/// hub the access_token query parameter (browsers cannot set headers on a WebSocket).
/// A revoked or expired session is refused on its next request or connection.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    MySqlDataSource dataSource,
    ReplicaReads replica)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = ReadToken();
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        // An endpoint whose reads may lag (the polling fallback) is checked where it reads: on the
        // read replica while it is healthy, so that polling screens do not load the primary. A
        // revocation reaches it within the replica's lag bound (Database:ReplicaMaxLagSeconds).
        await using var conn = Context.GetEndpoint()?.Metadata.GetMetadata<ReadsMayLag>() is not null
            ? (await replica.OpenAsync(Context.RequestAborted)).Connection
            : await dataSource.OpenConnectionAsync(Context.RequestAborted);
        var user = await conn.QuerySingleOrDefaultAsync<StaffUser>(new CommandDefinition(
            SessionQueries.FindActiveByTokenHash, new { TokenHash = Secrets.Hash(token) },
            cancellationToken: Context.RequestAborted));
        return user is null
            ? AuthenticateResult.Fail("The session is unknown, expired or revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(user.ToPrincipal(SchemeName), SchemeName));
    }

    private string? ReadToken()
    {
        string? header = Request.Headers.Authorization;
        if (header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }
        return Request.Path.StartsWithSegments(DispatchHubMethods.Route) ? Request.Query["access_token"].ToString() : null;
    }
}
