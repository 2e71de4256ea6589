using Dispatch.Contracts;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Realtime;

public static class RealtimeApi
{
    public static IHostApplicationBuilder AddRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<RelayOptions>(RelayOptions.Section);
        builder.Services.AddValidatedOptions<RealtimeOptions>(RealtimeOptions.Section);
        var realtime = builder.Configuration.GetSection(RealtimeOptions.Section).Get<RealtimeOptions>() ?? new RealtimeOptions();

        var signalR = builder.Services.AddSignalR(hub => hub.AddFilter<RefusalHubFilter>());
        builder.Logging.AddFilter(RefusalHubFilter.DispatcherLogCategory, LogLevel.None);
        if (!string.IsNullOrWhiteSpace(realtime.Redis))
        {
            builder.Services.AddSingleton(typeof(HubLifetimeManager<>), typeof(NodeBackplane<>));
        }
        // The DB-overload runbook's switch (docs/runbooks/db-overload.md): POLLING_ENABLED=false.
        builder.Services.Configure<PollingOptions>(polling => polling.Enabled = builder.Configuration.GetValue(PollingOptions.Variable, true));
        builder.Services.AddSingleton<IClientGroups, HubClientGroups>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddObservedGauge("ws_connections", "Hub connections open on this node.",
            sp => sp.GetRequiredService<ConnectionRegistry>().Current);
        builder.Services.AddHostedService<SessionWatch>();
        builder.Services.AddSingleton<WardReader>();
        builder.Services.AddSingleton<WardEventPublisher>();
        if (realtime.Mode == RealtimeMode.Bridge)
        {
            AddRelay<BridgeLink>(builder.Services);
        }
        else
        {
            AddRelay<OutboxRelay>(builder.Services);
        }
        return builder;
    }

    public sealed class PollingOptions
    {
        public const string Variable = "POLLING_ENABLED";

        /// <summary>Whether GET /api/events (the HTTP fallback of Resync) answers; on by default.</summary>
        public bool Enabled { get; set; } = true;
    }

    /// <summary>
    /// Group names ("ward:1") repeat across installations, so two Dispatch databases sharing one
    /// Redis must not share channels: by default the prefix names the database.
    /// </summary>
    public static string ChannelPrefix(RealtimeOptions realtime, IConfiguration configuration) =>
        realtime.RedisChannelPrefix ?? "dispatch:" + new MySqlConnector.MySqlConnectionStringBuilder(configuration["Database:ConnectionString"] ?? "").Database;

    /// <summary>Exactly one relay runs on a node: the in-process one, or the link to the bridge.</summary>
    private static void AddRelay<TRelay>(IServiceCollection services) where TRelay : class, IHostedService, IRelayBacklog
    {
        services.AddSingleton<TRelay>();
        services.AddSingleton<IRelayBacklog>(sp => sp.GetRequiredService<TRelay>());
        services.AddHostedService(sp => sp.GetRequiredService<TRelay>());
    }

    public static IEndpointRouteBuilder MapRealtime(this IEndpointRouteBuilder app)
    {
        app.MapHub<DispatchHub>(DispatchHubMethods.Route);
        // The HTTP fallback of Resync, for clients whose WebSocket is down.
        app.MapGet("/api/events", EventsAfterAsync).WithTags("Realtime").RequireAuthorization().WithMetadata(new ReadsMayLag());
        return app;
    }

    private static async Task<Ok<IReadOnlyList<WardEvent>>> EventsAfterAsync(
        int ward, long after, HttpContext context, WardReader wards, IOptions<PollingOptions> polling, CancellationToken ct)
    {
        if (!polling.Value.Enabled)
        {
            throw new RefusedException(StatusCodes.Status503ServiceUnavailable,
                "Polling is switched off (POLLING_ENABLED=false) to protect the database; resync over the hub with Resync(ward, afterSeq).");
        }
        if (!StaffUser.From(context.User).MayActOnWard(ward))
        {
            throw RefusedException.Forbidden($"Ward {ward} is not your ward.", RefusalCodes.NotYourWard);
        }
        return TypedResults.Ok(await wards.PolledEventsAfterAsync(ward, after, ct));
    }
}
