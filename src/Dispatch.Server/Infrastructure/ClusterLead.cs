namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Whether this node leads the work done once per cluster. The escalation sweep takes the lead
/// with its named lock (one holder per database); the holder also runs the cluster-wide checks
/// (display alarms, ward and device supervision), so that their database cost does not grow with
/// the number of nodes. Losing the lock, or the node, hands all of it to the next holder.
/// </summary>
public sealed class ClusterLead
{
    private volatile bool _leading;

    public bool IsLeading => _leading;

    internal void Set(bool leading) => _leading = leading;
}
