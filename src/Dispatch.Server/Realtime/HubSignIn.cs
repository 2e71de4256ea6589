using Dispatch.Contracts;
using Dispatch.Server.Sessions;

namespace Dispatch.Server.Realtime;

/// <summary>
/// Signs in the hub's requests (negotiate and the WebSocket) and runs the hub's endpoint, before
/// the authentication and authorization middlewares. Those await the request they hand on, and a
/// WebSocket's request lasts as long as its station is connected: their state (handler, results,
/// ticket, policy) stayed in memory with every station, about 2 KiB each (docs/benchmarks.md). The
/// check is theirs for the hub's [Authorize]: an active session's token, else 401. The hub's
/// methods are authorized on Context.User as before.
/// </summary>
public static class HubSignIn
{
    /// <summary>Before UseAuthentication and UseAuthorization, which the hub's requests then skip.</summary>
    public static IApplicationBuilder UseHubSignIn(this IApplicationBuilder app)
    {
        var sessions = app.ApplicationServices.GetRequiredService<SessionTokens>();
        return app.Use((context, next) =>
            context.Request.Path.StartsWithSegments(DispatchHubMethods.Route) && context.GetEndpoint()?.RequestDelegate is { } hub
                ? SignInAsync(context, hub, sessions).Unwrap()
                : next(context));
    }

    // Returns the hub's request unawaited, so that nothing of this stays with the connection.
    private static async Task<Task> SignInAsync(HttpContext context, RequestDelegate hub, SessionTokens sessions)
    {
        var token = SessionTokens.Read(context.Request);
        var staff = string.IsNullOrEmpty(token) ? null : await sessions.FindAsync(token, mayLag: false, context.RequestAborted);
        if (staff is null)
        {
            // Answered as a problem by the status-code pages, as every other 401.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        }
        context.User = staff.ToPrincipal(SessionAuthenticationHandler.SchemeName);
        return hub(context);
    }
}
