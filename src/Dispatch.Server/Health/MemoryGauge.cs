namespace Dispatch.Server.Health;

/// <summary>
/// This process's memory against what it may use: the GC reports the container (cgroup) limit when
/// one is set, else the machine's physical memory.
/// </summary>
public static class MemoryGauge
{
    public static long WorkingSetBytes() => Environment.WorkingSet;

    public static double UsagePercent()
    {
        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available <= 0 ? 0 : Math.Round(100.0 * WorkingSetBytes() / available, 2);
    }
}
