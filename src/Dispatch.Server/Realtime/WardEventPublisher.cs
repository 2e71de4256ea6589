using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;

namespace Dispatch.Server.Realtime;

/// <summary>
/// Hands outbox events and ward heartbeats to SignalR: the ward's group, and for an escalation
/// also the recipient's own group. With the Redis backplane a group send reaches every node's
/// members, so each event must be published once in the cluster.
/// </summary>
public sealed class WardEventPublisher(IClientGroups clients, DispatchMetrics metrics, TimeProvider time)
{
    public async Task PublishAsync(WardEvent wardEvent)
    {
        await clients.Ward(wardEvent.WardId).WardEvent(wardEvent);
        if (wardEvent is { Type: EventTypes.CallEscalated, Call.AssignedStaffId: { } recipient })
        {
            // The recipient may be on another ward's station: reach them wherever they are.
            await clients.Staff(recipient).CallEscalatedToYou(wardEvent);
        }
        metrics.EventDelivered(time.GetUtcNow() - wardEvent.At);
    }

    public Task PublishHeartbeatAsync(WardHeartbeat heartbeat) =>
        clients.Ward(heartbeat.WardId).WardHeartbeat(heartbeat);
}
