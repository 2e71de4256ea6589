using Dispatch.Server.Infrastructure;

namespace Dispatch.Server.Clinical;

public static class ClinicalExtensions
{
    /// <summary>The clinical settings, validated at start (a node with a ladder out of order does not start), and team routing.</summary>
    public static IHostApplicationBuilder AddClinical(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EscalationOptions>(EscalationOptions.Section);
        builder.Services.AddValidatedOptions<TeamOptions>(TeamOptions.Section);
        builder.Services.AddSingleton<TeamRouting>();
        return builder;
    }
}
