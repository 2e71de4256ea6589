using Dispatch.Contracts;
using Dispatch.Server.Errors;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dispatch.Server.Realtime;

public static class RealtimeApi
{
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RelayOptions>()
            .BindConfiguration(RelayOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSignalR();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<OutboxSignal>();
        builder.Services.AddSingleton<ConnectionCounter>();
        builder.Services.AddSingleton<WardReader>();
        builder.Services.AddSingleton<OutboxRelay>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<OutboxRelay>());
        return builder;
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapHub<DispatchHub>(DispatchHubMethods.Route);
        // The HTTP fallback of Resync, for clients whose WebSocket is down.
        app.MapGet("/api/events", EventsAfterAsync).WithTags("Realtime").RequireAuthorization();
        return app;
    }

    private static async Task<Ok<IReadOnlyList<WardEvent>>> EventsAfterAsync(
        int ward, long after, HttpContext context, WardReader wards, CancellationToken ct)
    {
        if (!StaffUser.From(context.User).MayActOnWard(ward))
        {
            throw RefusedException.Forbidden($"Ward {ward} is not your ward.");
        }
        return TypedResults.Ok(await wards.EventsAfterAsync(ward, after, ct));
    }
}
