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
        // Looked up before any send: a lookup that fails leaves the event unpublished, to be
        // handed on again, rather than sent to the ward and not to the team.
        var teamMembers = wardEvent.Call is { } call ? await teams.OnDutyMembersForAsync(call.Kind, ct) : [];
        await clients.Ward(wardEvent.WardId).WardEvent(wardEvent);
        foreach (var member in teamMembers)
        {
            await clients.Staff(member).CallForYourTeam(wardEvent);
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
