namespace Dispatch.Server.Clinical;

/// <summary>One kind's own escalation seconds; an unset level is the ladder of every kind's.</summary>
public sealed class KindLadder
{
    public int? Level1Seconds { get; set; }

    public int? Level2Seconds { get; set; }

    public int? Level3Seconds { get; set; }
}
