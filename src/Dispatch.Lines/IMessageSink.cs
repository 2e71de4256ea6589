namespace Dispatch.Lines;

/// <summary>What became of a message handed to the server, as the line is told.</summary>
public enum IntakeOutcome
{
    /// <summary>Stored: the call was raised (or repeated, or cleared). The line gets its positive answer.</summary>
    Taken,

    /// <summary>Refused for good (an address the hospital file does not map, say): sending it again cannot help.</summary>
    Refused,

    /// <summary>Not stored (the server unreachable or unavailable): the sender should send it again.</summary>
    NotTaken,
}

/// <summary>Where a line's messages go (the server's intake, or a simulator's screen).</summary>
public interface IMessageSink
{
    Task<IntakeOutcome> DeliverAsync(string address, string text, CancellationToken ct);

    /// <summary>A block arrived with a wrong checksum (TAP) or BCC (ESPA) and was refused.</summary>
    void ChecksumFailed();
}
