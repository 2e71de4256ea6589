namespace Dispatch.Server.Infrastructure;

/// <summary>
/// The address of the client whose request (or hub connection) is being served, as the forwarded
/// headers give it, so that <see cref="AuditLog"/> records who did something from where without
/// every caller passing it along. Null in the server's own work (escalations, supervision).
/// </summary>
public static class ClientAddress
{
    private static readonly AsyncLocal<string?> s_current = new();

    public static string? Current => s_current.Value;

    /// <summary>After UseForwardedHeaders. A hub connection's invocations run inside its request, so they see it too.</summary>
    public static IApplicationBuilder UseClientAddress(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            // Set inside this async method, the value ends with the request.
            s_current.Value = context.Connection.RemoteIpAddress?.ToString();
            await next(context);
        });
}
