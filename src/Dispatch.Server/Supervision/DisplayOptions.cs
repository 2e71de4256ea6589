using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Supervision;

public sealed class DisplayOptions
{
    public const string Section = "Display";

    /// <summary>A call that no station of its ward has displayed this long after it was raised is alarmed.</summary>
    [Range(1, 3600)]
    public int AlarmSeconds { get; set; } = 5;

    [Range(1, 60)]
    public int CheckSeconds { get; set; } = 1;
}
