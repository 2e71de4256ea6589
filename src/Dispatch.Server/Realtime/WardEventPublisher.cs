using Dispatch.Contracts;
using Dispatch.Server.Clinical;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;

namespace Dispatch.Server.Realtime;

/// <summary>
/// Hands outbox events and ward heartbeats to SignalR: the ward's group, for an escalation also
/// the recipient's own group, and for a call of a kind a team takes (a code blue) each on-duty
/// member's group. With the Redis backplane a group send reaches every node's members, so each
/// event must be published once in the cluster.
/// </summary>
public sealed class WardEventPublisher(IClientGroups clients, TeamRouting teams, DispatchMetrics metrics, TimeProvider time)
{
    public async Task PublishAsync(WardEvent wardEvent, CancellationToken ct)
    {
        // The ward first: nothing the team lookup needs (the database) may hold up a call's own
        // ward. A lookup that fails throws, so the event is handed on again; the ward's stations
        // drop the second copy by its sequence number, and the team is reached then.
        await clients.Ward(wardEvent.WardId).WardEvent(wardEvent);
        if (wardEvent.Call is { } call)
        {
            foreach (var member in await teams.OnDutyMembersForAsync(call.Kind, ct))
            {
                await clients.Staff(member).CallForYourTeam(wardEvent);
            }
        }
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
