using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.Server.Paging;

public static class PagingApi
{
    public static IHostApplicationBuilder AddPaging(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<PagingOptions>(PagingOptions.Section);
        builder.Services.AddSingleton<PageDesk>();
        builder.Services.AddHostedService<PageWatch>();
        return builder;
    }

    public static IEndpointRouteBuilder MapPaging(this IEndpointRouteBuilder app)
    {
        // Dispatch.Gateway: authenticated by a line's key, checked per request.
        var pages = app.MapGroup("/api/pages").WithTags("Lines").AllowAnonymous();
        pages.MapPost("/claim", ClaimAsync);
        pages.MapPost("/{pageId:long}/sent", SentAsync);
        return app;
    }

    /// <summary>The due pages, most urgent call first (at most 20); each counts as a try.</summary>
    private static async Task<Ok<IReadOnlyList<PageToSend>>> ClaimAsync(
        [FromHeader(Name = DispatchHeaders.DeviceKey)] string? lineKey, PageDesk desk, CancellationToken ct) =>
        TypedResults.Ok(await desk.ClaimAsync(lineKey, ct));

    private static async Task<NoContent> SentAsync(
        long pageId, [FromHeader(Name = DispatchHeaders.DeviceKey)] string? lineKey, PageDesk desk, CancellationToken ct)
    {
        await desk.ReportSentAsync(lineKey, pageId, ct);
        return TypedResults.NoContent();
    }
}
