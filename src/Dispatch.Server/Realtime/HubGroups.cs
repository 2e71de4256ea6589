using System.Globalization;

namespace Dispatch.Server.Realtime;

/// <summary>SignalR group names: a ward's stations, and one staff member's connections.</summary>
public static class HubGroups
{
    public static string Ward(int wardId) => "ward:" + wardId.ToString(CultureInfo.InvariantCulture);

    public static string Staff(int staffId) => "staff:" + staffId.ToString(CultureInfo.InvariantCulture);
}
