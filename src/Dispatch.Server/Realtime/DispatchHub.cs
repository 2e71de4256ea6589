using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Dispatch.Server.Errors;
using Dispatch.Server.Escalation;
using Dispatch.Server.Sessions;
using Dispatch.Server.Supervision;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The nurse-station hub. Stateless: a station subscribes to its ward, gets the open calls with
/// the ward's sequence, then receives every later event of the ward with its sequence number.
/// Refusals become the caller's sentence in <see cref="RefusalHubFilter"/>.
/// </summary>
[Authorize]
public sealed class DispatchHub(
    CallService calls, CallRejection rejection, WardReader wards, ConnectionRegistry connections, DisplayReceipts receipts, StationSupervisor stations)
    : Hub<IDispatchClient>, IDispatchHub
{
    private const int MaxReceipts = 1000;

    private StaffUser Staff => StaffUser.From(Context.User!);

    public override async Task OnConnectedAsync()
    {
        connections.Connected(Context, Staff.SessionId);
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Staff(Staff.StaffId), Context.ConnectionAborted);
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
        try
        {
            var snapshot = await wards.SnapshotAsync(wardId, Context.ConnectionAborted);
            // Only a ward that exists counts as watched (the unwatched-ward check, display receipts).
            connections.Watching(Context.ConnectionId, wardId);
            return snapshot;
        }
        catch
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, HubGroups.Ward(wardId), CancellationToken.None);
            throw;
        }
    }

    public async Task Unsubscribe(int wardId)
    {
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, HubGroups.Ward(wardId), Context.ConnectionAborted);
        connections.NotWatching(Context.ConnectionId, wardId);
    }

    public Task<IReadOnlyList<WardEvent>> Resync(int wardId, long afterSeq)
    {
        EnsureWardAccess(wardId);
        return wards.EventsAfterAsync(wardId, afterSeq, Context.ConnectionAborted);
    }

    public Task Displayed(long[] callIds)
    {
        if (callIds is null || callIds.Length > MaxReceipts)
        {
            throw RefusedException.BadRequest($"Send between 1 and {MaxReceipts} call ids per receipt.");
        }
        receipts.Record(Context.ConnectionId, Staff.SessionId, connections.WardsOf(Context.ConnectionId), callIds);
        return Task.CompletedTask;
    }

    /// <summary>
    /// While the station stays connected its node vouches for it; once it has been away past its
    /// bound, its ward is told (station_silent).
    /// </summary>
    public async Task<StationView> IdentifyStation(string stationKey)
    {
        var station = await stations.IdentifyAsync(stationKey, Staff, Context.ConnectionAborted);
        connections.IdentifiedAs(Context.ConnectionId, station.DeviceId);
        return station;
    }

    public async Task ReportSound(bool canPlay)
    {
        var stationId = connections.StationOf(Context.ConnectionId)
            ?? throw RefusedException.Conflict("Identify the station first (IdentifyStation with its station key): only a station screen reports its sound.");
        await stations.ReportSoundAsync(stationId, canPlay, Context.ConnectionAborted);
    }

    public Task<CallView> Acknowledge(long callId) => calls.AcknowledgeAsync(callId, Staff, Context.ConnectionAborted);

    public Task<CallView> Reject(long callId) => rejection.RejectAsync(callId, Staff, Context.ConnectionAborted);

    private void EnsureWardAccess(int wardId)
    {
        if (!Staff.MayActOnWard(wardId))
        {
            throw RefusedException.Forbidden($"Ward {wardId} is not your ward.", RefusalCodes.NotYourWard);
        }
    }
}
