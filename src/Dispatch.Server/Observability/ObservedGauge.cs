namespace Dispatch.Server.Observability;

/// <summary>
/// A gauge of state that a feature owns (hub connections, memory, pending calls), read at each
/// scrape. The owner registers it in its own AddXxx, so metrics depend on no feature.
/// </summary>
public sealed record ObservedGauge(string Name, string Help, Func<IServiceProvider, CancellationToken, Task<double>> ReadAsync);
