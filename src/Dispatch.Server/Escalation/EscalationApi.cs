using Dispatch.Server.Clinical;
using Dispatch.Server.Infrastructure;

namespace Dispatch.Server.Escalation;

public static class EscalationExtensions
{
    public static IHostApplicationBuilder AddEscalation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EscalationOptions>()
            .BindConfiguration(EscalationOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CallEscalator>();
        builder.Services.AddSingleton<ClusterLead>();
        builder.Services.AddSingleton<EscalationSweep>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<EscalationSweep>());
        return builder;
    }
}
