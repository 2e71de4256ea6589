using Dispatch.Contracts;
using Dispatch.Server.Observability;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>
/// Hands outbox events and ward heartbeats to SignalR: the ward's group, and for an escalation
/// also the recipient's own group. With the Redis backplane a group send reaches every node's
/// members, so each event must be published once in the cluster.
/// </summary>
public sealed class WardEventPublisher(IHubContext<DispatchHub, IDispatchClient> hub, DispatchMetrics metrics, TimeProvider time)
{
    public async Task PublishAsync(WardEvent wardEvent)
    {
        await hub.Clients.Group(HubGroups.Ward(wardEvent.WardId)).WardEvent(wardEvent);
        if (wardEvent is { Type: EventTypes.CallEscalated, Call.AssignedStaffId: { } recipient })
        {
            // The recipient may be on another ward's station: reach them wherever they are.
            await hub.Clients.Group(HubGroups.Staff(recipient)).CallEscalatedToYou(wardEvent);
        }
        metrics.EventDelivered(time.GetUtcNow() - wardEvent.At);
    }

    public Task PublishHeartbeatAsync(WardHeartbeat heartbeat) =>
        hub.Clients.Group(HubGroups.Ward(heartbeat.WardId)).WardHeartbeat(heartbeat);
}
