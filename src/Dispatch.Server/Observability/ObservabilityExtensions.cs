using Dispatch.Contracts;
using Prometheus;

namespace Dispatch.Server.Observability;

public static class ObservabilityExtensions
{
    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DispatchMetrics>();
        // The request lines carry the hub's ?access_token=: never logged, whatever the settings'
        // Default level (a more specific rule wins).
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        return builder;
    }

    /// <summary>A gauge whose value <paramref name="read"/> takes from its owner at each scrape.</summary>
    public static IServiceCollection AddObservedGauge(this IServiceCollection services, string name, string help, Func<IServiceProvider, double> read) =>
        services.AddObservedGauge(name, help, (sp, _) => Task.FromResult(read(sp)));

    public static IServiceCollection AddObservedGauge(
        this IServiceCollection services, string name, string help, Func<IServiceProvider, CancellationToken, Task<double>> readAsync) =>
        services.AddSingleton(new ObservedGauge(name, help, readAsync));

    /// <summary>
    /// HTTP request metrics for every endpoint but the hub, mounted before the endpoints. A hub
    /// request lasts as long as its WebSocket: as a request duration it says nothing (the hub has
    /// its own metrics), and its three middlewares would stay in memory with every connection.
    /// </summary>
    public static IApplicationBuilder UseRequestMetrics(this IApplicationBuilder app) =>
        app.UseWhen(context => !context.Request.Path.StartsWithSegments(DispatchHubMethods.Route), api => api.UseHttpMetrics(options => options.SetMetricFactory(
            Metrics.WithCustomRegistry(app.ApplicationServices.GetRequiredService<DispatchMetrics>().Registry))));

    /// <summary>
    /// /metrics is anonymous, like the health probes: counts and durations only, no patient data.
    /// Restrict it by network (nginx allow/deny) where the scrape network is not trusted.
    /// </summary>
    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder app)
    {
        app.MapMetrics("/metrics", app.ServiceProvider.GetRequiredService<DispatchMetrics>().Registry).AllowAnonymous();
        return app;
    }
}
