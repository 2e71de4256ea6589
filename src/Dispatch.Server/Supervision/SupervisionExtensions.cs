using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;

namespace Dispatch.Server.Supervision;

public static class SupervisionExtensions
{
    public static IHostApplicationBuilder AddSupervision(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SupervisionOptions>(SupervisionOptions.Section);
        builder.Services.AddHostedService<WardSupervision>();
        builder.Services.AddSingleton<StationSupervisor>();
        builder.Services.AddSingleton<LineSupervisor>();
        builder.Services.AddObservedGauge("dispatch_lines_silent", "Lines from the primary nurse-call system reported silent and not heard since.",
            (sp, ct) => sp.GetRequiredService<LineSupervisor>().CountSilentAsync(ct));
        builder.Services.AddHostedService<DeviceSupervision>();
        builder.Services.AddValidatedOptions<DisplayOptions>(DisplayOptions.Section);
        builder.Services.AddSingleton<DisplayReceipts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DisplayReceipts>());
        builder.Services.AddHostedService<DisplayWatch>();
        return builder;
    }
}
