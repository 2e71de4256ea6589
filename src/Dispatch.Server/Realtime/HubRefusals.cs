using Dispatch.Contracts;
using Microsoft.AspNetCore.Http.Features;

namespace Dispatch.Server.Realtime;

/// <summary>
/// SignalR answers a malformed hub request itself, in plain text ("Connection ID required", "No
/// Connection with that ID", an empty 405). This gives those answers the problem-details shape of
/// every other refusal, with SignalR's sentence as the detail. Only requests that are not a
/// WebSocket upgrade or an event stream are held (a negotiate, a long poll, a mistake): their
/// answers are small and end.
/// </summary>
public static class HubRefusals
{
    // Passed through without awaiting: a middleware that awaits a WebSocket's request stays in memory for the connection's life.
    // (context.WebSockets.IsWebSocketRequest is false here: the hub's endpoint adds the WebSocket feature later.)
    public static IApplicationBuilder UseHubRefusalsAsProblemDetails(this IApplicationBuilder app) =>
        app.Use((context, next) =>
            !context.Request.Path.StartsWithSegments(DispatchHubMethods.Route)
            || context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
            || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true
            || context.Request.Headers.Accept.Contains("text/event-stream")
                ? next(context)
                : AnswerAsProblemDetailsAsync(context, next));

    private static async Task AnswerAsProblemDetailsAsync(HttpContext context, RequestDelegate next)
    {
        var original = context.Response.Body;
        using var held = new MemoryStream();
        context.Response.Body = held;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = original;
        }

        var response = context.Response;
        if (response.StatusCode >= 400 && response.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
        {
            var sentence = System.Text.Encoding.UTF8.GetString(held.GetBuffer(), 0, (int)held.Length).Trim();
            response.Headers.ContentLength = null;
            await TypedResults.Problem(sentence.Length > 0 ? $"{sentence}. The hub takes a WebSocket (docs/protocol.md)." : null,
                statusCode: response.StatusCode).ExecuteAsync(context);
            return;
        }
        held.Position = 0;
        await held.CopyToAsync(original, context.RequestAborted);
    }
}
