using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Clinical;

/// <summary>How team routing reads the hospital file's teams (see <see cref="TeamRouting"/>).</summary>
public sealed class TeamOptions
{
    public const string Section = "Teams";

    /// <summary>
    /// How long a node trusts its list of the kinds that have a team, so a team imported takes
    /// effect within this; 0 reads it for every event. Members and their duty are read live.
    /// </summary>
    [Range(0, 60)]
    public int RefreshSeconds { get; set; } = 5;

    /// <summary>
    /// The team lookup's bound while an event is published: past it the publish fails at once (the
    /// ward has its event already), so a database that hangs never holds up the relay.
    /// </summary>
    [Range(100, 30_000)]
    public int LookupTimeoutMs { get; set; } = 2_000;
}
