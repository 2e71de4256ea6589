using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Supervision;

public sealed class SupervisionOptions
{
    public const string Section = "Supervision";

    /// <summary>How often wards with open calls are checked for a connected station.</summary>
    [Range(1, 600)]
    public int CheckSeconds { get; set; } = 10;

    /// <summary>A ward still unwatched is reported again after this long.</summary>
    [Range(10, 86_400)]
    public int RepeatSeconds { get; set; } = 300;

    /// <summary>A bed device that has reported before and is silent this long gets a trouble call at its bed.</summary>
    [Range(1, 86_400)]
    public int DeviceSilentSeconds { get; set; } = 180;

    /// <summary>
    /// A station screen that identified itself and has been connected to no node this long is
    /// reported to its ward. Above the nodes' heartbeat interval (Ops:HeartbeatSeconds), which stamps it.
    /// </summary>
    [Range(1, 86_400)]
    public int StationSilentSeconds { get; set; } = 60;

    /// <summary>
    /// A line from the primary nurse-call system that Dispatch.Gateway has not heard this long (or
    /// whose gateway has stopped) is reported to the maintenance view. Above the gateway's
    /// Gateway:HeartbeatSeconds, and above the primary system's own polling interval.
    /// </summary>
    [Range(1, 86_400)]
    public int LineSilentSeconds { get; set; } = 60;
}
