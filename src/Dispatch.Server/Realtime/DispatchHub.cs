using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Dispatch.Server.Errors;
using Dispatch.Server.Sessions;
using Dispatch.Server.Supervision;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The nurse-station hub. Stateless: a station subscribes to its ward, gets the open calls with
/// the ward's sequence, then receives every later event of the ward with its sequence number.
/// </summary>
[Authorize]
public sealed class DispatchHub(
    CallService calls, WardReader wards, ConnectionRegistry connections, DisplayReceipts receipts, StationSupervisor stations) : Hub<IDispatchClient>
{
    public override async Task OnConnectedAsync()
    {
        var staff = StaffUser.From(Context.User!);
        connections.Connected(Context, staff.SessionId);
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Staff(staff.StaffId), Context.ConnectionAborted);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Disconnected(Context.ConnectionId, dropped: exception is not null);
        return Task.CompletedTask;
    }

    /// <summary>Joins the ward's group first, then reads the snapshot, so no event falls between the two.</summary>
    public async Task<WardSnapshot> Subscribe(int wardId)
    {
        EnsureWardAccess(wardId);
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Ward(wardId), Context.ConnectionAborted);
        connections.Watching(Context.ConnectionId, wardId);
        return await Guard(() => wards.SnapshotAsync(wardId, Context.ConnectionAborted));
    }

    public async Task Unsubscribe(int wardId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, HubGroups.Ward(wardId), Context.ConnectionAborted);
        connections.NotWatching(Context.ConnectionId, wardId);
    }

    /// <summary>The ward's events after <paramref name="afterSeq"/>, at most one page; ask again from the last one.</summary>
    public Task<IReadOnlyList<WardEvent>> Resync(int wardId, long afterSeq)
    {
        EnsureWardAccess(wardId);
        return Guard(() => wards.EventsAfterAsync(wardId, afterSeq, Context.ConnectionAborted));
    }

    /// <summary>The station has put these calls on its screen (a display receipt; at most 1,000 per message).</summary>
    public Task Displayed(long[] callIds)
    {
        if (callIds is null || callIds.Length > MaxReceipts)
        {
            throw new HubException($"Send between 1 and {MaxReceipts} call ids per receipt.");
        }
        receipts.Record(StaffUser.From(Context.User!), callIds);
        return Task.CompletedTask;
    }

    private const int MaxReceipts = 1000;

    /// <summary>
    /// This connection is the screen of a nurse station (its station device key). While it stays
    /// connected its node vouches for it; once it has been away past its bound, its ward is told
    /// (station_silent). Call again after every reconnect.
    /// </summary>
    public async Task<StationView> IdentifyStation(string stationKey)
    {
        var station = await Guard(() => stations.IdentifyAsync(stationKey, StaffUser.From(Context.User!), Context.ConnectionAborted));
        connections.IdentifiedAs(Context.ConnectionId, station.DeviceId);
        return station;
    }

    public Task<CallView> Acknowledge(long callId) =>
        Guard(() => calls.AcknowledgeAsync(callId, StaffUser.From(Context.User!), Context.ConnectionAborted));

    public Task<CallView> Reject(long callId) =>
        Guard(() => calls.RejectAsync(callId, StaffUser.From(Context.User!), Context.ConnectionAborted));

    private void EnsureWardAccess(int wardId)
    {
        if (!StaffUser.From(Context.User!).MayActOnWard(wardId))
        {
            throw new HubException($"Ward {wardId} is not your ward.");
        }
    }

    /// <summary>Hub callers see the same sentences as HTTP callers, never an internal error.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RefusedException e)
        {
            throw new HubException(e.Message);
        }
        catch (MySqlException)
        {
            throw new HubException("The database is unavailable or busy; nothing was saved. Retry.");
        }
    }
}
