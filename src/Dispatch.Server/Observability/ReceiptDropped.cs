namespace Dispatch.Server.Observability;

/// <summary>Why display receipts were not taken (the label of dispatch_display_receipts_dropped_total).</summary>
public static class ReceiptDropped
{
    public const string NotWatching = "not_watching";
    public const string ConnectionBound = "connection_bound";
    public const string NodeBound = "node_bound";
}
