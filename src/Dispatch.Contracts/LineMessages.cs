namespace Dispatch.Contracts;

// Messages from the primary nurse-call system, as Dispatch.Gateway hears them on a line.

/// <summary>
/// POST /api/lines/messages (with the line's key in X-Device-Key): a call address (ESPA record 1,
/// TAP pager id) and the message's text.
/// </summary>
public sealed record LineMessageRequest(string? Address, string? Text);

/// <summary>
/// What the message did: "raised" (a new call, 201), "repeated" (the address's open call, or the
/// call the same Idempotency-Key raised), or "cleared" (the calls it ended; none if none was open).
/// </summary>
public sealed record LineMessageResult(string Outcome, IReadOnlyList<CallView> Calls)
{
    public const string Raised = "raised";
    public const string Repeated = "repeated";
    public const string Cleared = "cleared";
}
