namespace Dispatch.Client;

/// <summary>What an arriving event's sequence number means for a ward's board.</summary>
public enum SequenceVerdict
{
    /// <summary>The next event: apply it.</summary>
    Next,

    /// <summary>Already applied (a resend or an overlap with a snapshot): drop it.</summary>
    Duplicate,

    /// <summary>Events are missing before it: resync from <see cref="WardSequence.Last"/> first.</summary>
    Gap,
}

/// <summary>
/// Tracks the last applied sequence of one ward. Sequences are gap-free per ward, so this is all a
/// client needs to drop duplicates and notice missed events.
/// </summary>
public sealed class WardSequence(long last)
{
    /// <summary>The last sequence applied to the board.</summary>
    public long Last { get; private set; } = last;

    /// <summary>Classifies <paramref name="seq"/> and, when it is the next one, records it as applied.</summary>
    public SequenceVerdict Observe(long seq)
    {
        if (seq <= Last)
        {
            return SequenceVerdict.Duplicate;
        }
        if (seq > Last + 1)
        {
            return SequenceVerdict.Gap;
        }
        Last = seq;
        return SequenceVerdict.Next;
    }

    /// <summary>True when a heartbeat's latest sequence shows events this client has not seen.</summary>
    public bool IsBehind(long latest) => latest > Last;
}
