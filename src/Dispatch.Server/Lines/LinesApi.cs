using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.Server.Lines;

public static class LinesApi
{
    public static IHostApplicationBuilder AddLines(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LineIntake>();
        return builder;
    }

    public static IEndpointRouteBuilder MapLines(this IEndpointRouteBuilder app)
    {
        // Dispatch.Gateway: authenticated by the line's key, checked per request.
        var lines = app.MapGroup("/api/lines").WithTags("Lines").AllowAnonymous();
        lines.MapPost("/messages", ReceiveAsync);
        return app;
    }

    /// <summary>201 when the message raised a new call; 200 when it repeated one or cleared the address's calls.</summary>
    private static async Task<Results<Created<LineMessageResult>, Ok<LineMessageResult>>> ReceiveAsync(
        LineMessageRequest message,
        [FromHeader(Name = DispatchHeaders.DeviceKey)] string? lineKey,
        [FromHeader(Name = DispatchHeaders.IdempotencyKey)] string? idempotencyKey,
        LineIntake intake,
        CancellationToken ct)
    {
        CallsApi.CheckIdempotencyKey(idempotencyKey);
        var result = await intake.ReceiveAsync(lineKey, message, idempotencyKey, ct);
        return result.Outcome == LineMessageResult.Raised
            ? TypedResults.Created($"/api/calls/{result.Calls[0].Id}", result)
            : TypedResults.Ok(result);
    }
}
