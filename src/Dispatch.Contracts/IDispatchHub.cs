namespace Dispatch.Contracts;

/// <summary>
/// What a station may invoke on the hub (at <see cref="DispatchHubMethods.Route"/>). Method names
/// are the wire names. A refusal arrives as a HubException whose message is the sentence to show.
/// </summary>
public interface IDispatchHub
{
    /// <summary>Joins the ward's stream and returns its open calls with the ward's sequence; later events carry later sequences.</summary>
    Task<WardSnapshot> Subscribe(int wardId);

    Task Unsubscribe(int wardId);

    /// <summary>The ward's events after <paramref name="afterSeq"/>, at most <see cref="DispatchHubMethods.ResyncPageSize"/>; ask again from the last one.</summary>
    Task<IReadOnlyList<WardEvent>> Resync(int wardId, long afterSeq);

    /// <summary>The station has put these calls on its screen (a display receipt; at most 1,000 per message).</summary>
    Task Displayed(long[] callIds);

    /// <summary>This connection is the screen of a nurse station (its station device key). Call again after every reconnect.</summary>
    Task<StationView> IdentifyStation(string stationKey);

    /// <summary>
    /// Whether this station's screen can play sound (after <see cref="IdentifyStation"/>): one that
    /// cannot is listed to its ward and on the ops page until it reports it can. Report again after
    /// every reconnect, and whenever it changes.
    /// </summary>
    Task ReportSound(bool canPlay);

    Task<CallView> Acknowledge(long callId);

    /// <summary>The assignee cannot take the call: it escalates one level at once.</summary>
    Task<CallView> Reject(long callId);
}

/// <summary>The hub's route and method names, for clients that invoke by name.</summary>
public static class DispatchHubMethods
{
    public const string Route = "/hubs/dispatch";
    public const string Subscribe = nameof(IDispatchHub.Subscribe);
    public const string Unsubscribe = nameof(IDispatchHub.Unsubscribe);
    public const string Resync = nameof(IDispatchHub.Resync);
    public const string Acknowledge = nameof(IDispatchHub.Acknowledge);
    public const string Reject = nameof(IDispatchHub.Reject);
    public const string Displayed = nameof(IDispatchHub.Displayed);
    public const string IdentifyStation = nameof(IDispatchHub.IdentifyStation);
    public const string ReportSound = nameof(IDispatchHub.ReportSound);

    /// <summary>Resync (and GET /api/events) return at most this many events; ask again from the last one.</summary>
    public const int ResyncPageSize = 1000;
}
