namespace Dispatch.Server.Realtime;

/// <summary>How many events this node has yet to publish: /ws-health's pending_msgs.</summary>
public interface IRelayBacklog
{
    long PendingEvents { get; }
}
