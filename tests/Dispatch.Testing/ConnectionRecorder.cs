using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Testing;

/// <summary>
/// Test-only hub filter: remembers each staff member's hub connections, so a test can act on the
/// server side of a client's connection (clients skip negotiation and never learn its id).
/// </summary>
public sealed class ConnectionRecorder : IHubFilter
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _byStaff = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        _byStaff.GetOrAdd(context.Context.UserIdentifier ?? "", _ => new()).Enqueue(context.Context.ConnectionId);
    }

    public string SingleConnectionOf(TestStaff staff) =>
        _byStaff.TryGetValue(staff.StaffId.ToString(System.Globalization.CultureInfo.InvariantCulture), out var ids) && ids.Count == 1
            ? ids.Single()
            : throw new InvalidOperationException($"Staff {staff.StaffId} does not have exactly one hub connection.");
}
