using System.Globalization;
using Dispatch.Outbox;
using Prometheus;

namespace Dispatch.Server.Observability;

/// <summary>
/// The node's Prometheus metrics, in a registry of its own (so that several nodes hosted in one
/// test process do not mix their figures). Names and units match the alert rules in
/// ops/prometheus/alerts.yml. The gauges of state owned elsewhere (connections, memory, pending
/// calls) are <see cref="ObservedGauge"/>s that their owners register; this class only defines
/// and collects them.
/// </summary>
public sealed class DispatchMetrics
{
    private const int Window = 100;

    private readonly RollingWindow _assignMs = new(Window);
    private readonly RollingWindow _assignFailed = new(Window);
    private readonly RollingWindow _pollMs = new(Window);
    private readonly Histogram _assignSeconds;
    private readonly Histogram _deliverySeconds;
    private readonly Counter _escalations;
    private readonly Gauge _draining;
    private readonly Counter _drainBatches;
    private readonly Counter _drainNotices;
    private readonly Counter _wardsUnwatched;
    private readonly Counter _displayMissing;
    private readonly Counter _receiptsDropped;
    private readonly Counter _credentialsRefused;
    private readonly Counter _replicaReads;
    private readonly Counter _troubles;
    private readonly Counter _pagesFailed;

    public DispatchMetrics(IEnumerable<ObservedGauge> observed, IServiceProvider services)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);

        var owned = observed.Select(g => (Gauge: factory.CreateGauge(g.Name, g.Help), g.ReadAsync)).ToList();
        var avgAssign = factory.CreateGauge("avg_assign_time_ms", $"Mean duration of the last {Window} raise-and-assign transactions, in ms.");
        var failedRate = factory.CreateGauge("failed_assignments_rate", $"Share (0-1) of the last {Window} raise attempts that failed (deadlock past retries, database down).");
        var pollAvg = factory.CreateGauge("poll_duration_avg", $"Mean duration of the last {Window} outbox reads by the relay, in ms.");

        _assignSeconds = factory.CreateHistogram("dispatch_assign_duration_seconds", "Raise-and-assign transaction duration.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.002, 2, 12) });
        _deliverySeconds = factory.CreateHistogram("dispatch_delivery_latency_seconds",
            "From an event's commit (database clock) to its push to the ward's stations (this node's clock).",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });
        _escalations = factory.CreateCounter("dispatch_escalations_total", "Escalation steps taken by this node.",
            new CounterConfiguration { LabelNames = ["level"] });
        // Every level exists from the start at 0, so rate() and alerts see a series before the first escalation.
        foreach (var level in new[] { "1", "2", "3" })
        {
            _escalations.WithLabels(level);
        }
        _draining = factory.CreateGauge("dispatch_node_draining", "1 while this node drains its stations before a restart (memory watchdog or admin).");
        _drainBatches = factory.CreateCounter("dispatch_drain_batches_total", "Drain batches started on this node.");
        _drainNotices = factory.CreateCounter("dispatch_drain_reconnect_notices_total", "Connections asked to move to another node.");
        _troubles = factory.CreateCounter("dispatch_trouble_events_total", "Silent devices reported: a trouble call at a bed, or a station reported to its ward.",
            new CounterConfiguration { LabelNames = ["device"] });
        foreach (var device in new[] { "bed", "station", "line" })
        {
            _troubles.WithLabels(device);
        }
        _pagesFailed = factory.CreateCounter("dispatch_pages_failed_total", "Pages the paging server never answered after every try (page_failed).");
        _displayMissing = factory.CreateCounter("dispatch_display_missing_total", "Calls that no station confirmed displaying in time.");
        _wardsUnwatched = factory.CreateCounter("dispatch_ward_unwatched_alerts_total", "Reports of a ward with open calls and no connected station.");
        _receiptsDropped = factory.CreateCounter("dispatch_display_receipts_dropped_total",
            "Display receipts not taken: from a connection watching no ward, or past a connection's or the node's bound (a flood).",
            new CounterConfiguration { LabelNames = ["reason"] });
        foreach (var reason in new[] { ReceiptDropped.NotWatching, ReceiptDropped.ConnectionBound, ReceiptDropped.NodeBound })
        {
            _receiptsDropped.WithLabels(reason);
        }
        _credentialsRefused = factory.CreateCounter("dispatch_credentials_refused_total",
            "Passwords and device, station or patient keys refused by this node, and those refused unchecked (429).",
            new CounterConfiguration { LabelNames = ["reason"] });
        foreach (var reason in CredentialRefused.All)
        {
            _credentialsRefused.WithLabels(reason);
        }
        _replicaReads = factory.CreateCounter("dispatch_replica_reads_total",
            "Reads that may lag (the polling fallback, the hub's resync, the KPIs, the ops summary), by where they were served: the read replica (a resync's tail then comes from the primary), or the primary (no replica set, or it lags or is down).",
            new CounterConfiguration { LabelNames = ["read", "source"] });
        foreach (var read in new[] { "polling", "resync", "kpis", "ops" })
        {
            foreach (var source in new[] { "replica", "primary" })
            {
                _replicaReads.WithLabels(read, source);
            }
        }

        Registry.AddBeforeCollectCallback(() =>
        {
            avgAssign.Set(_assignMs.Average());
            failedRate.Set(_assignFailed.Average());
            pollAvg.Set(_pollMs.Average());
        });
        Registry.AddBeforeCollectCallback(async ct =>
        {
            foreach (var (gauge, readAsync) in owned)
            {
                gauge.Set(await readAsync(services, ct));
            }
        });
    }

    public CollectorRegistry Registry { get; }

    public void AssignSucceeded(TimeSpan duration)
    {
        _assignMs.Add(duration.TotalMilliseconds);
        _assignSeconds.Observe(duration.TotalSeconds);
        _assignFailed.Add(0);
    }

    public void AssignFailed() => _assignFailed.Add(1);

    public void OutboxPolled(TimeSpan duration) => _pollMs.Add(duration.TotalMilliseconds);

    public void EventDelivered(TimeSpan latency) => _deliverySeconds.Observe(Math.Max(0, latency.TotalSeconds));

    public void DrainStarted() => _draining.Set(1);

    public void DrainBatchSent(int connections)
    {
        _drainBatches.Inc();
        _drainNotices.Inc(connections);
    }

    public void WardUnwatched() => _wardsUnwatched.Inc();

    public void DisplayMissing() => _displayMissing.Inc();

    /// <param name="reason">One of <see cref="ReceiptDropped"/>.</param>
    /// <param name="count">Receipts (call ids) not taken.</param>
    public void ReceiptsDropped(string reason, int count) => _receiptsDropped.WithLabels(reason).Inc(count);

    /// <param name="read">"polling", "resync", "kpis" or "ops".</param>
    /// <param name="source">"replica" or "primary".</param>
    public void ReplicaRead(string read, string source) => _replicaReads.WithLabels(read, source).Inc();

    /// <param name="reason">One of <see cref="CredentialRefused"/>.</param>
    public void CredentialsRefused(string reason) => _credentialsRefused.WithLabels(reason).Inc();

    /// <param name="device">"bed", "station" or "line".</param>
    public void TroubleRaised(string device) => _troubles.WithLabels(device).Inc();

    public void PageFailed() => _pagesFailed.Inc();

    public void Escalated(int level) => _escalations.WithLabels(level.ToString(CultureInfo.InvariantCulture)).Inc();
}
