using Microsoft.Extensions.Options;

namespace Dispatch.Server.Node;

/// <summary>
/// This process's memory against what it may use: Watchdog:MemoryLimitMb when set, else what the
/// GC reports, which is the container (cgroup) limit when one is set and the machine's physical
/// memory otherwise.
/// </summary>
public sealed class MemoryGauge(IOptions<WatchdogOptions> options)
{
    private const double BytesPerMiB = 1024 * 1024;

    public long WorkingSetBytes() => Environment.WorkingSet;

    /// <summary>The working set in MiB, to one decimal (/ws-health, the heartbeat row).</summary>
    public double WorkingSetMb() => Math.Round(WorkingSetBytes() / BytesPerMiB, 1);

    public long LimitBytes() => options.Value.MemoryLimitMb is { } limitMb
        ? (long)(limitMb * BytesPerMiB)
        : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public double UsagePercent()
    {
        var limit = LimitBytes();
        return limit <= 0 ? 0 : Math.Round(100.0 * WorkingSetBytes() / limit, 2);
    }
}
