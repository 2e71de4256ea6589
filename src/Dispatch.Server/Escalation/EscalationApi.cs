using Dispatch.Contracts;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dispatch.Server.Escalation;

/// <summary>A call climbs the ladder when its deadline passes (the sweep) or at once when its nurse rejects it.</summary>
public static class EscalationApi
{
    public static IHostApplicationBuilder AddEscalation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallEscalator>();
        builder.Services.AddSingleton<CallRejection>();
        builder.Services.AddSingleton<EscalationSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EscalationSweep>());
        return builder;
    }

    public static IEndpointRouteBuilder MapEscalation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/calls/{callId:long}/reject", RejectAsync).WithTags("Calls").RequireAuthorization();
        return app;
    }

    private static async Task<Ok<CallView>> RejectAsync(long callId, HttpContext context, CallRejection rejection, CancellationToken ct) =>
        TypedResults.Ok(await rejection.RejectAsync(callId, StaffUser.From(context.User), ct));
}
