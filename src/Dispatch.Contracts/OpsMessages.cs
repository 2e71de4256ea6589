namespace Dispatch.Contracts;

// What ops read: probes, the ops summary, KPIs, a drain.

public sealed record HealthStatus(string Status, bool DbOk, double MemoryPct, DateTimeOffset Ts);

/// <summary>GET /ws-health. GcPauseMs: the time this process's garbage collector has paused it since it started (a benchmark samples it for the worst second).</summary>
public sealed record WsHealth(long Connections, long PendingMsgs, double MemoryMb, long UptimeS, double GcPauseMs);

public sealed record DrainStarted(string Reason, long Connections);

/// <summary>
/// POST /api/node/heap: the node's live managed heap right after a full, blocking, compacting
/// garbage collection, its resident set, and its hub connections: what an idle connection costs.
/// </summary>
public sealed record HeapReport(long ManagedBytes, long ResidentBytes, long Connections);

public sealed record NodeRow(string Name, string State, int Connections, double MemoryMb, double MemoryPct, long UptimeS, long SeenSecondsAgo);

public sealed record WardSummary(int WardId, string Name, long OpenCalls, long Unacknowledged, long OldestSeconds, long? RelayLag, long NursesOnDuty);

public sealed record EscalationCount(long Level, long Count);

public sealed record TroubleRow(long CallId, int WardId, string Room, string Bed, long SilentSeconds);

public sealed record SilentStationRow(int DeviceId, int WardId, string Name, long SilentSeconds);

public sealed record MutedStationRow(int DeviceId, int WardId, string Name, long MutedSeconds);

/// <summary>A line of the primary nurse-call system (Dispatch.Gateway's) reported silent and not heard since.</summary>
public sealed record SilentLineRow(int DeviceId, string Name, long SilentSeconds);

/// <summary>
/// What the ops page shows: every live node, every ward's load, the last hour's escalations and the
/// maintenance view (silent lines of the primary nurse-call system, trouble calls of silent bed
/// devices, silent and muted stations).
/// </summary>
public sealed record OpsSummary(
    string Mode, IReadOnlyList<NodeRow> Nodes, IReadOnlyList<WardSummary> Wards, IReadOnlyList<EscalationCount> EscalationsLastHour,
    IReadOnlyList<TroubleRow> Troubles, IReadOnlyList<SilentStationRow> SilentStations, IReadOnlyList<MutedStationRow> MutedStations,
    DateTimeOffset At, IReadOnlyList<SilentLineRow>? SilentLines = null);

/// <summary>One KPI: its figures, its target and breach level, and where it stands ("ok", "watch", "breach", "no_data", "not_recorded").</summary>
public sealed record Kpi(string Name, string Unit, long Count, double? P50, double? P90, double? Mean, double? Value, double Target, double Breach, string Status, string? Note = null);

public sealed record KpiReport(int? WardId, DateTimeOffset From, DateTimeOffset To, long Calls, IReadOnlyList<Kpi> Kpis);
