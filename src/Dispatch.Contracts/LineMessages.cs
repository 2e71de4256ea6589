namespace Dispatch.Contracts;

// Messages from the primary nurse-call system, as Dispatch.Gateway hears them on a line, and pages
// it sends to the paging server.

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

/// <summary>
/// A page for Dispatch.Gateway to send (POST /api/pages/claim): to this pager number, this text.
/// <see cref="Try"/> counts from 1; a page not reported sent is claimed again once it is due.
/// </summary>
public sealed record PageToSend(long Id, string Pager, string Text, int Try);
