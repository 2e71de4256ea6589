namespace Dispatch.Contracts;

/// <summary>
/// A call as stations show it. <see cref="RepeatCount"/>: presses at the bed since it was raised
/// (each re-announced it). <see cref="Band"/>: how urgent it looks and sounds (code, emergency,
/// assist, routine, trouble), set by the server's clinical rules; escalation never changes it.
/// <see cref="Ward"/>: the ward's name, for a call shown away from its ward (escalated, or to a team).
/// <see cref="PagesFailedTo"/>: who was paged about it and never reached (the paging server did not
/// answer after every try), their names joined by ", "; null when nobody.
/// </summary>
public sealed record CallView(
    long Id,
    int WardId,
    int BedId,
    string Room,
    string Bed,
    string Kind,
    int Priority,
    string Status,
    int? AssignedStaffId,
    string? AssignedStaffName,
    int EscalationLevel,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AcceptedAt,
    DateTimeOffset? ResolvedAt,
    int RepeatCount = 0,
    string Band = "",
    string Ward = "",
    DateTimeOffset? NextEscalationAt = null,
    string? PresentStaffName = null,
    DateTimeOffset? PresentSince = null,
    string? PagesFailedTo = null);

/// <summary>
/// A nurse-station screen (a station device). <see cref="LastSeenAt"/> is when a node last had it
/// connected, or when it last sent a heartbeat itself.
/// </summary>
public sealed record StationView(int DeviceId, int WardId, string Name, DateTimeOffset? LastSeenAt, DateTimeOffset? SoundOffSince = null);

/// <summary>
/// One outbox event of a ward. <see cref="Seq"/> is gap-free per ward: a client that sees a jump
/// has missed events and repairs them with Resync. Call events carry <see cref="Call"/>; station
/// events (<see cref="EventTypes.StationSilent"/>, <see cref="EventTypes.StationBack"/>) carry
/// <see cref="Station"/>.
/// </summary>
public sealed record WardEvent(int WardId, long Seq, string Type, long? CallId, CallView? Call, DateTimeOffset At, StationView? Station = null);

/// <summary>
/// The open calls of a ward as of sequence <see cref="Seq"/>, and its stations reported silent
/// (a trouble for the ward until each is back).
/// </summary>
public sealed record WardSnapshot(
    int WardId, long Seq, IReadOnlyList<CallView> Calls, IReadOnlyList<StationView> SilentStations, IReadOnlyList<StationView> MutedStations);

/// <summary>Sent periodically so that a client can notice events it missed even when the ward is quiet.</summary>
public sealed record WardHeartbeat(int WardId, long Seq, DateTimeOffset At);

public static class EventTypes
{
    public const string CallRaised = "call_raised";

    /// <summary>The bed pressed again for a call of this kind that is still open: the same call, announced again.</summary>
    public const string CallRepeated = "call_repeated";
    public const string CallAccepted = "call_accepted";
    public const string CallResolved = "call_resolved";
    public const string CallEscalated = "call_escalated";

    /// <summary>
    /// A nurse registered at the bed of a call that presence does not clear (a code blue, a staff
    /// emergency): the call stays open, now naming who is in the room and since when.
    /// </summary>
    public const string NursePresent = "nurse_present";

    /// <summary>A station screen of the ward has been silent past its bound: the ward has one screen fewer.</summary>
    public const string StationSilent = "station_silent";

    /// <summary>The silent station is connected again.</summary>
    public const string StationBack = "station_back";

    /// <summary>The silent station was retired by an administrator: it leaves the ward's list.</summary>
    public const string StationRetired = "station_retired";

    /// <summary>A station screen reports it cannot play sound: the ward has one screen that will not be heard.</summary>
    public const string StationMuted = "station_muted";

    /// <summary>The station screen can play sound again.</summary>
    public const string StationSoundBack = "station_sound_back";

    /// <summary>
    /// A page about the call (to the pager or DECT phone of the nurse it is assigned or escalated to,
    /// or of its team) was not answered by the paging server after every try: that person may not know.
    /// </summary>
    public const string PageFailed = "page_failed";

    public static bool IsStationEvent(string type) => type is StationSilent or StationBack or StationRetired or StationMuted or StationSoundBack;
}

/// <summary>Sent as a node stops; the suggested window spreads the reconnects.</summary>
public sealed record ShutdownNotice(string Reason, int ReconnectWithinMs);

/// <summary>
/// Sent while a node drains (memory pressure, maintenance): open a new connection (the load
/// balancer sends it to another node), resync on it, then close this one, at a random moment within
/// <see cref="ReconnectWithinMs"/>. This connection keeps delivering events until then.
/// </summary>
public sealed record ReconnectNotice(string Reason, int ReconnectWithinMs)
{
    public const string MemoryPressure = "memory_pressure";
    public const string Maintenance = "maintenance";
}

/// <summary>
/// A ward has open calls and no station watching it anywhere in the cluster: nobody may be seeing
/// its calls. Sent to the department's managers and to administration.
/// </summary>
public sealed record WardAlert(int WardId, string WardName, long OpenCalls, string Message);

/// <summary>
/// No station of the ward confirmed showing this call in time (display receipts): a screen may be
/// frozen, asleep or gone. Sent to the ward's stations and to managers and administration.
/// </summary>
public sealed record DisplayAlert(long CallId, int WardId, string Kind, string Message);

/// <summary>Sent before a connection whose session ended is closed. Code 4401: sign in again.</summary>
public sealed record SessionClosedNotice(int Code, string Reason)
{
    public const int Revoked = 4401;
}
