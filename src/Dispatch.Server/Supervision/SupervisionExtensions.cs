using Dispatch.Server.Infrastructure;

namespace Dispatch.Server.Supervision;

public static class SupervisionExtensions
{
    public static IHostApplicationBuilder AddSupervision(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<SupervisionOptions>(SupervisionOptions.Section);
        builder.Services.AddHostedService<WardSupervision>();
        builder.Services.AddSingleton<StationSupervisor>();
        builder.Services.AddHostedService<DeviceSupervision>();
        builder.Services.AddValidatedOptions<DisplayOptions>(DisplayOptions.Section);
        builder.Services.AddSingleton<DisplayReceipts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DisplayReceipts>());
        builder.Services.AddHostedService<DisplayWatch>();
        return builder;
    }
}
