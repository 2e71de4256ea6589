using Dispatch.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Floor;

/// <summary>The hub methods the swarm's stations use, and nothing behind them but a group and an in-memory history.</summary>
public sealed class FloorHub(FloorWards wards) : Hub
{
    public override Task OnConnectedAsync()
    {
        wards.Connected(+1);
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        wards.Connected(-1);
        return Task.CompletedTask;
    }

    public async Task<WardSnapshot> Subscribe(int wardId)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, $"ward:{wardId}");
        return new WardSnapshot(wardId, wards.LastSeq(wardId), [], [], []);
    }

    public IReadOnlyList<WardEvent> Resync(int wardId, long afterSeq) => wards.EventsAfter(wardId, afterSeq);
}
