using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Node;

/// <summary>
/// The memory watchdog and the drain it starts (docs/runbooks/memory-restart.md). The drain is
/// modelled on Phoenix's connection drainer: batches of a bounded size, an interval between
/// batches, an overall deadline.
/// </summary>
public sealed class WatchdogOptions
{
    public const string Section = "Watchdog";

    /// <summary>The exit code after a drain, so that a supervisor's log says why the node restarted (EX_TEMPFAIL).</summary>
    public const int DrainedExitCode = 75;

    /// <summary>Above this share of <see cref="MemoryGauge.LimitBytes"/> the node drains and restarts.</summary>
    [Range(0.001, 100)]
    public double ThresholdPercent { get; set; } = 80;

    /// <summary>What 100 % is, in MiB; unset: the cgroup limit, else physical memory.</summary>
    [Range(1, int.MaxValue)]
    public long? MemoryLimitMb { get; set; }

    [Range(100, 600_000)]
    public int SampleIntervalMs { get; set; } = 5_000;

    /// <summary>Connections told to move at once. A ward's connections never all move in one batch.</summary>
    [Range(1, 100_000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>Each batch moves at random moments within this window; the next batch starts no sooner.</summary>
    [Range(0, 60_000)]
    public int BatchIntervalMs { get; set; } = 2_000;

    /// <summary>A connection still here this long after its notice is closed (its client reconnects by itself).</summary>
    [Range(100, 60_000)]
    public int MovePatienceMs { get; set; } = 5_000;

    /// <summary>The whole drain's bound; whoever is left is told server_shutdown and the node exits.</summary>
    [Range(1, 600)]
    public int DeadlineSeconds { get; set; } = 30;
}
