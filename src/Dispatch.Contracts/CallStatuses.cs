namespace Dispatch.Contracts;

/// <summary>
/// A call's status on the wire: open (waiting for a nurse), accepted (acknowledged, not yet
/// cleared at the bedside), resolved (cleared at the bedside).
/// </summary>
public static class CallStatuses
{
    public const string Open = "open";
    public const string Accepted = "accepted";
    public const string Resolved = "resolved";
}
