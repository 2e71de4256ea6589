using System.Collections.Concurrent;
using Dispatch.Contracts;
using Dispatch.Floor;
using Microsoft.AspNetCore.SignalR;

// The floor: what SignalR and its JSON protocol cost alone, with Dispatch's wire shape (sign-in,
// Subscribe and Resync on /hubs/dispatch, WardEvent pushes to ward groups, raise and cancel over
// HTTP). No database, no authentication, no backplane, no middleware but routing. loadtests/run.sh
// runs the same swarm against it in the same run as Dispatch.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();
builder.Services.AddSingleton<FloorWards>();
var app = builder.Build();
var started = DateTimeOffset.UtcNow;
var open = new ConcurrentDictionary<long, CallView>();

app.MapHub<FloorHub>(DispatchHubMethods.Route);
app.MapPost("/api/sessions", (LoginRequest login) =>
    new LoginResponse("floor", DateTimeOffset.UtcNow.AddHours(14), 1, login.Username ?? "", "admin", null, OnDuty: true));
app.MapPost("/api/calls", async (RaiseCallRequest raise, FloorWards wards, IHubContext<FloorHub> hub) =>
{
    if (wards.Raise(raise.BedId) is not { } call)
    {
        return Results.NotFound();
    }
    open[call.Id] = call;
    await wards.AppendAndSendAsync(EventTypes.CallRaised, call, raised => hub.Clients.Group($"ward:{call.WardId}").SendAsync(nameof(IDispatchClient.WardEvent), raised));
    return Results.Created($"/api/calls/{call.Id}", call);
});
app.MapPost("/api/calls/{callId:long}/cancel", async (long callId, FloorWards wards, IHubContext<FloorHub> hub) =>
{
    if (!open.TryRemove(callId, out var call))
    {
        return Results.NotFound();
    }
    var resolved = call with { Status = CallStatuses.Resolved, ResolvedAt = DateTimeOffset.UtcNow };
    await wards.AppendAndSendAsync(EventTypes.CallResolved, resolved, e => hub.Clients.Group($"ward:{call.WardId}").SendAsync(nameof(IDispatchClient.WardEvent), e));
    return Results.Ok(resolved);
});
// As Dispatch's /ws-health names its fields.
app.MapGet("/ws-health", (FloorWards wards) =>
{
    using var process = System.Diagnostics.Process.GetCurrentProcess();
    return new
    {
        connections = wards.Connections,
        pending_msgs = 0,
        memory_mb = process.WorkingSet64 / 1048576.0,
        uptime_s = (long)(DateTimeOffset.UtcNow - started).TotalSeconds,
        gc_pause_ms = GC.GetTotalPauseDuration().TotalMilliseconds,
    };
});
app.MapPost("/api/node/heap", (FloorWards wards) =>
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    using var process = System.Diagnostics.Process.GetCurrentProcess();
    return new HeapReport(GC.GetTotalMemory(forceFullCollection: false), process.WorkingSet64, wards.Connections);
});
await app.RunAsync();
