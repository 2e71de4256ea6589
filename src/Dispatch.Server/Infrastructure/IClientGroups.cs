using Dispatch.Contracts;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// The connected screens of a ward, or of one staff member, wherever in the cluster they are
/// connected. Realtime implements it with the hub, so that a feature that alerts (supervision)
/// pushes without knowing the hub.
/// </summary>
public interface IClientGroups
{
    IDispatchClient Ward(int wardId);

    IDispatchClient Staff(int staffId);
}
