using System.Text.Encodings.Web;
using Dispatch.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Sessions;

/// <summary>
/// Authenticates the API's requests by their session token (<see cref="SessionTokens"/>). The
/// hub's are signed in by Realtime's HubSignIn, which holds nothing for the WebSocket's life.
/// </summary>
public sealed class SessionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SessionTokens sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = SessionTokens.Read(Request);
        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }
        var mayLag = Context.GetEndpoint()?.Metadata.GetMetadata<ReadsMayLag>() is not null;
        var user = await sessions.FindAsync(token, mayLag, Context.RequestAborted);
        return user is null
            ? AuthenticateResult.Fail("The session is unknown, expired or revoked.")
            : AuthenticateResult.Success(new AuthenticationTicket(user.ToPrincipal(SchemeName), SchemeName));
    }
}
