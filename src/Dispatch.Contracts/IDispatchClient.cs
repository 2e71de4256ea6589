namespace Dispatch.Contracts;

/// <summary>What the server calls on a connected station. Method names are the wire names.</summary>
public interface IDispatchClient
{
    Task WardEvent(WardEvent wardEvent);

    Task WardHeartbeat(WardHeartbeat heartbeat);

    /// <summary>
    /// A call of any ward has escalated to this staff member (a nurse of another floor, the
    /// manager, administration). Sent to every connection of that staff member; the call also
    /// stays in its own ward's event stream. GET /api/staff/me/calls lists such calls again.
    /// </summary>
    Task CallEscalatedToYou(WardEvent wardEvent);

    /// <summary>
    /// An event of a call, of any ward, whose kind a team of this staff member takes (the code
    /// team: code_blue). Sent to every connection of each on-duty member, for each of the call's
    /// events from raised to resolved. Live only, outside the ward sequence: after a reconnect,
    /// GET /api/staff/me/calls lists the open calls of your teams' kinds.
    /// </summary>
    Task CallForYourTeam(WardEvent wardEvent);

    /// <summary>
    /// This node is stopping (SIGTERM, restart): the connection closes next. Reconnect, after a
    /// random delay up to <see cref="ShutdownNotice.ReconnectWithinMs"/>, and resync as usual.
    /// </summary>
    Task ServerShutdown(ShutdownNotice notice);

    /// <summary>
    /// This node is draining: move to another node without a gap — connect anew, resync, then
    /// close this connection, within <see cref="ReconnectNotice.ReconnectWithinMs"/>.
    /// </summary>
    Task ReconnectElsewhere(ReconnectNotice notice);

    /// <summary>To managers and administration: a ward has open calls and no connected station.</summary>
    Task WardUnwatched(WardAlert alert);

    /// <summary>No station of the ward confirmed showing a call in time (see the hub method Displayed).</summary>
    Task CallNotDisplayed(DisplayAlert alert);

    /// <summary>The session was revoked or expired (code 4401): the connection closes next. Do not reconnect with it; sign in again.</summary>
    Task SessionClosed(SessionClosedNotice notice);
}
