using System.Collections.Frozen;

namespace Dispatch.Server.Web;

/// <summary>
/// What every answer gets before anything else runs: a method outside the API's few is refused
/// (405) before it reaches the request metrics, where each made-up method would add series; every
/// answer says nosniff; and what is not a static page is never cached on the way (answers carry
/// session tokens, nonces, reset passwords and patients' calls).
/// </summary>
public static class HttpHygiene
{
    // The API, the hub (negotiate, WebSocket upgrade) and the probes use no other method.
    private static readonly FrozenSet<string> s_methods = FrozenSet.ToFrozenSet(
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete, HttpMethods.Options], StringComparer.Ordinal);

    public static IApplicationBuilder UseHttpHygiene(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                // The static pages set their own (no-cache: they may be kept, but revalidated).
                if (!headers.ContainsKey("Cache-Control"))
                {
                    headers.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            });
            if (s_methods.Contains(context.Request.Method))
            {
                return next(context);
            }
            return TypedResults.Problem($"This server takes only {string.Join(", ", s_methods.Order(StringComparer.Ordinal))}.",
                statusCode: StatusCodes.Status405MethodNotAllowed).ExecuteAsync(context);
        });
}
