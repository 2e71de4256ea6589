using System.Globalization;
using System.Text;

namespace Dispatch.Cli;

/// <summary>What the swarm must reach; a run that misses one exits with 1.</summary>
internal sealed record SwarmThresholds(int MaxFailedConnections, long MaxLost, double? MaxP99Ms);

// WireDuplicates and WireOutOfOrder: pushed events that arrived at a station with a sequence it
// already had, or with earlier ones missing: counted at the wire (RawStation), where a client
// would drop or repair them. SlowestSeconds: the seconds of the run (from the first raise) whose
// calls had the highest p99. SortedAnswersMs: each raise's own answer (the call stored and
// assigned), and SortedPushesMs: each delivery after that answer, which split a slow delivery
// into storing the call and pushing it.
internal sealed record Deliveries(
    long Expected, long Received, long Lost, long Duplicated, IReadOnlyList<double> SortedLatenciesMs, long WireDuplicates = 0, long WireOutOfOrder = 0,
    IReadOnlyList<(int Second, double P99Ms)>? SlowestSeconds = null, IReadOnlyList<double>? SortedAnswersMs = null,
    IReadOnlyList<double>? SortedPushesMs = null)
{
    public double Percentile(double p) => PercentileOf(SortedLatenciesMs, p);

    public static double PercentileOf(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

internal sealed record SwarmFigures(
    int Connected,
    int FailedConnections,
    string? FirstFailure,
    int Drops,
    TimeSpan ConnectTime,
    IReadOnlyList<NodeHealth> Before,
    IReadOnlyList<NodeHealth> Idle,
    int Raised,
    int RaiseFailed,
    TimeSpan RaiseTime,
    Deliveries Deliveries,
    double GeneratorCores,
    double WorstGcPauseShare);

/// <summary>The swarm's figures, printed for people and as one RESULT line for scripts, and the verdict on the thresholds.</summary>
internal sealed record SwarmReport(SwarmSettings Settings, SwarmFigures Figures, IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;

    public static SwarmReport From(SwarmSettings settings, SwarmFigures figures)
    {
        var failures = new List<string>();
        var thresholds = settings.Thresholds;
        if (figures.FailedConnections > thresholds.MaxFailedConnections)
        {
            failures.Add($"{figures.FailedConnections} connections failed (at most {thresholds.MaxFailedConnections} allowed)");
        }
        if (figures.Deliveries.Lost > thresholds.MaxLost)
        {
            failures.Add($"{figures.Deliveries.Lost} deliveries lost (at most {thresholds.MaxLost} allowed)");
        }
        if (figures.Deliveries.Duplicated > 0)
        {
            failures.Add($"{figures.Deliveries.Duplicated} deliveries shown twice");
        }
        // A client would hide resends and repair gaps; at the wire, a run without faults has neither.
        if (figures.Deliveries.WireDuplicates + figures.Deliveries.WireOutOfOrder > 0)
        {
            failures.Add($"{figures.Deliveries.WireDuplicates} duplicate and {figures.Deliveries.WireOutOfOrder} out-of-order events at the wire");
        }
        if (figures.Raised == 0 && settings.CallsPerSecond > 0)
        {
            failures.Add("no call was raised");
        }
        if (thresholds.MaxP99Ms is { } maxP99 && figures.Raised > 0 && !(figures.Deliveries.Percentile(0.99) <= maxP99))
        {
            failures.Add($"p99 {figures.Deliveries.Percentile(0.99):F1} ms is over {maxP99} ms");
        }
        return new SwarmReport(settings, figures, failures);
    }

    /// <summary>
    /// Connections each node gained after the swarm's first tenth (which also pays one-time costs),
    /// and what each gained per connection (KiB): working set, and live managed heap after a full
    /// GC (NaN when not measured).
    /// </summary>
    public IReadOnlyList<(Uri Node, long Stations, double KibPerConnection, double HeapKibPerConnection)> PerNode =>
        Figures.Before.Zip(Figures.Idle, (before, idle) =>
        {
            var stations = idle.Connections - before.Connections;
            var heap = stations > 0 && before.ManagedBytes is { } from && idle.ManagedBytes is { } to ? (to - from) / 1024.0 / stations : double.NaN;
            return (idle.Node, stations, stations > 0 ? (idle.MemoryMb - before.MemoryMb) * 1024 / stations : double.NaN, heap);
        }).ToList();

    public string Text()
    {
        var f = Figures;
        var d = f.Deliveries;
        var text = new StringBuilder();
        text.AppendLine(Invariant($"stations     {f.Connected:N0} of {Settings.Stations:N0} connected in {f.ConnectTime.TotalSeconds:F1} s, {f.FailedConnections} failed, {f.Drops} drops, {Settings.Subnets} source /24s"));
        if (f.FirstFailure is not null)
        {
            text.AppendLine(Invariant($"  first failure: {f.FirstFailure}"));
        }
        foreach (var (node, stations, kib, heapKib) in PerNode)
        {
            text.AppendLine(Invariant($"  node {node.Authority,-21} per connection over its {stations:N0} stations after the swarm's first tenth: {heapKib:F1} KiB of live managed heap (after a full GC), {kib:F1} KiB of working set"));
        }
        text.AppendLine(Invariant($"calls        {f.Raised:N0} raised in {f.RaiseTime.TotalSeconds:F1} s ({f.Raised / Math.Max(0.001, f.RaiseTime.TotalSeconds):F1}/s; asked {Settings.CallsPerSecond}/s), {f.RaiseFailed} not raised (refused, or a bed's own open call announced again)"));
        text.AppendLine(Invariant($"deliveries   {d.Received:N0} of {d.Expected:N0} expected, {d.Lost:N0} lost, {d.Duplicated:N0} shown twice"));
        text.AppendLine(Invariant($"at the wire  {d.WireDuplicates:N0} duplicate and {d.WireOutOfOrder:N0} out-of-order events (before a client would drop or repair them)"));
        text.AppendLine(Invariant($"generator    {f.GeneratorCores * 100:F0} % of a core while raising and settling ({Environment.ProcessorCount} cores here)"));
        text.AppendLine(Invariant($"GC pauses    worst one second on any node: {f.WorstGcPauseShare * 100:F1} % paused"));
        text.AppendLine(Invariant($"latency      press → station: p50 {d.Percentile(0.50):F1} ms, p95 {d.Percentile(0.95):F1} ms, p99 {d.Percentile(0.99):F1} ms, max {(d.SortedLatenciesMs.Count > 0 ? d.SortedLatenciesMs[^1] : double.NaN):F1} ms"));
        if (d.SlowestSeconds is { Count: > 0 } slowest)
        {
            text.AppendLine("  the slowest seconds' calls (second of the run: p99): " + string.Join(", ", slowest.Select(s => Invariant($"{s.Second} s: {s.P99Ms:F1} ms"))));
        }
        if (d.SortedAnswersMs is { Count: > 0 } answers)
        {
            text.AppendLine(Invariant($"  press → raise answered (the call stored and assigned): p50 {Deliveries.PercentileOf(answers, 0.50):F1} ms, p99 {Deliveries.PercentileOf(answers, 0.99):F1} ms, max {answers[^1]:F1} ms"));
        }
        if (d.SortedPushesMs is { Count: > 0 } pushes)
        {
            text.AppendLine(Invariant($"  raise answered → station (the push, once the call is stored): p50 {Deliveries.PercentileOf(pushes, 0.50):F1} ms, p99 {Deliveries.PercentileOf(pushes, 0.99):F1} ms, max {pushes[^1]:F1} ms"));
        }
        text.AppendLine(Passed ? "PASS" : "FAIL: " + string.Join("; ", Failures));
        return text.ToString();
    }

    /// <summary>One line of key=value pairs for scripts (loadtests/run.sh).</summary>
    public string ResultLine()
    {
        var f = Figures;
        var d = f.Deliveries;
        var perNode = string.Join(",", PerNode.Select(n => Invariant($"{n.Node.Port}:{n.Stations}")));
        var kib = PerNode.Where(n => n.Stations > 0).Select(n => n.KibPerConnection).DefaultIfEmpty(double.NaN).Average();
        var heapKib = PerNode.Where(n => n.Stations > 0).Select(n => n.HeapKibPerConnection).DefaultIfEmpty(double.NaN).Average();
        return Invariant($"RESULT stations={Settings.Stations} connected={f.Connected} failed={f.FailedConnections} drops={f.Drops} ") +
            Invariant($"calls_per_s={Settings.CallsPerSecond} raised={f.Raised} raise_failed={f.RaiseFailed} expected={d.Expected} delivered={d.Received} lost={d.Lost} duplicated={d.Duplicated} ") +
            Invariant($"wire_duplicates={d.WireDuplicates} wire_out_of_order={d.WireOutOfOrder} ") +
            Invariant($"p50_ms={d.Percentile(0.5):F1} p95_ms={d.Percentile(0.95):F1} p99_ms={d.Percentile(0.99):F1} max_ms={(d.SortedLatenciesMs.Count > 0 ? d.SortedLatenciesMs[^1] : double.NaN):F1} ") +
            Invariant($"raise_p50_ms={Deliveries.PercentileOf(d.SortedAnswersMs ?? [], 0.5):F1} raise_p99_ms={Deliveries.PercentileOf(d.SortedAnswersMs ?? [], 0.99):F1} ") +
            Invariant($"push_p50_ms={Deliveries.PercentileOf(d.SortedPushesMs ?? [], 0.5):F1} push_p99_ms={Deliveries.PercentileOf(d.SortedPushesMs ?? [], 0.99):F1} ") +
            Invariant($"generator_cpu_pct={f.GeneratorCores * 100:F0} worst_gc_pause_pct={f.WorstGcPauseShare * 100:F1} ") +
            Invariant($"kib_per_connection={kib:F1} heap_kib_per_connection={heapKib:F1} per_node={perNode} passed={(Passed ? "yes" : "no")}");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
