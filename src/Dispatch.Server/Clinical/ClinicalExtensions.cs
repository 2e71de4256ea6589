using Dispatch.Server.Infrastructure;

namespace Dispatch.Server.Clinical;

public static class ClinicalExtensions
{
    /// <summary>The clinical settings, validated at start: a node with a ladder out of order does not start.</summary>
    public static IHostApplicationBuilder AddClinical(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<EscalationOptions>(EscalationOptions.Section);
        return builder;
    }
}
