namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Endpoint metadata: this endpoint's reads, its session check among them, may be served by the
/// read replica (<see cref="ReplicaReads"/>), a moment behind the primary.
/// </summary>
public sealed class ReadsMayLag;
