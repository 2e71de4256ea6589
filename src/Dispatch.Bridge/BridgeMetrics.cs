using Dispatch.Outbox;
using Prometheus;

namespace Dispatch.Bridge;

/// <summary>The bridge's Prometheus metrics; poll_duration_avg is the one the alert rules watch.</summary>
public sealed class BridgeMetrics
{
    private readonly RollingWindow _pollMs = new(100);
    private readonly Gauge _lag;
    private readonly Counter _relayed;

    public BridgeMetrics(NodeRouter router)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        var pollAvg = factory.CreateGauge("poll_duration_avg", "Mean duration of the last 100 outbox reads, in ms.");
        var leading = factory.CreateGauge("bridge_leading", "1 while this bridge is the leader, else 0.");
        var nodes = factory.CreateGauge("bridge_live_nodes", "Hub nodes that said HELLO recently.");
        _lag = factory.CreateGauge("bridge_relay_lag_events", "Events committed but not yet acknowledged by a node.");
        _relayed = factory.CreateCounter("bridge_relayed_events_total", "Events handed into the cluster and acknowledged.");
        var refused = factory.CreateCounter("bridge_refused_hellos_total", "HELLOs from peers that proved no key listed in Bridge:Nodes.");
        Registry.AddBeforeCollectCallback(() =>
        {
            pollAvg.Set(_pollMs.Average());
            leading.Set(IsLeading ? 1 : 0);
            nodes.Set(router.LiveNodes);
            refused.IncTo(router.RefusedHellos);
        });
    }

    public CollectorRegistry Registry { get; }
    public bool IsLeading { get; set; }
    public long Lag { get; private set; }

    public void Polled(TimeSpan duration) => _pollMs.Add(duration.TotalMilliseconds);

    public void Relayed(int events) => _relayed.Inc(events);

    public void SetLag(long events)
    {
        Lag = events;
        _lag.Set(events);
    }
}
