namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Whether this node leads the work done once per cluster: the escalation sweep and the
/// cluster-wide checks (display alarms, ward and device supervision), so that their database cost
/// does not grow with the number of nodes. <see cref="ClusterLeadership"/> sets it while this
/// node holds the lead's named lock; losing the lock, or the node, hands all of it to the next
/// holder. The work re-checks its claims under row locks, so two leaders around a takeover never
/// act twice.
/// </summary>
public sealed class ClusterLead
{
    private volatile bool _leading;
    private volatile TaskCompletionSource _becameLead = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsLeading => _leading;

    /// <summary>Completes at once while leading, else when this node becomes the lead.</summary>
    public Task WhenLeadingAsync(CancellationToken ct) => _leading ? Task.CompletedTask : _becameLead.Task.WaitAsync(ct);

    internal void Set(bool leading)
    {
        _leading = leading;
        if (leading)
        {
            _becameLead.TrySetResult();
        }
        else if (_becameLead.Task.IsCompleted)
        {
            _becameLead = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
