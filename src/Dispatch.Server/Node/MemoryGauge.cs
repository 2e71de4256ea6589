using Microsoft.Extensions.Options;

namespace Dispatch.Server.Node;

/// <summary>
/// This process's memory against what it may use: Watchdog:MemoryLimitMb when set, else what the
/// GC reports, which is the container (cgroup) limit when one is set and the machine's physical
/// memory otherwise.
/// </summary>
public sealed class MemoryGauge(IOptions<WatchdogOptions> options)
{
    public long WorkingSetBytes() => Environment.WorkingSet;

    public long LimitBytes() => options.Value.MemoryLimitMb is { } limitMb
        ? limitMb * 1024L * 1024L
        : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public double UsagePercent()
    {
        var limit = LimitBytes();
        return limit <= 0 ? 0 : Math.Round(100.0 * WorkingSetBytes() / limit, 2);
    }
}
