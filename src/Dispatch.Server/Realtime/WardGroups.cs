using System.Globalization;

namespace Dispatch.Server.Realtime;

public static class WardGroups
{
    public static string For(int wardId) => "ward:" + wardId.ToString(CultureInfo.InvariantCulture);
}
