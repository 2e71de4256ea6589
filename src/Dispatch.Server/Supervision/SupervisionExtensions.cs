namespace Dispatch.Server.Supervision;

public static class SupervisionExtensions
{
    public static IHostApplicationBuilder AddSupervision(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SupervisionOptions>().BindConfiguration(SupervisionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<WardSupervision>();
        builder.Services.AddSingleton<StationSupervisor>();
        builder.Services.AddHostedService<DeviceSupervision>();
        builder.Services.AddOptions<DisplayOptions>().BindConfiguration(DisplayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<DisplayReceipts>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<DisplayReceipts>());
        builder.Services.AddHostedService<DisplayWatch>();
        return builder;
    }
}
