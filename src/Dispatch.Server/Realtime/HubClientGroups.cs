using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>The hub's groups (see <see cref="HubGroups"/>); with the Redis backplane a group send reaches every node's members.</summary>
public sealed class HubClientGroups(IHubContext<DispatchHub, IDispatchClient> hub) : IClientGroups
{
    public IDispatchClient Ward(int wardId) => hub.Clients.Group(HubGroups.Ward(wardId));

    public IDispatchClient Staff(int staffId) => hub.Clients.Group(HubGroups.Staff(staffId));
}
