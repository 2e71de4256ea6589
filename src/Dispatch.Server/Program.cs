using Dispatch.Server.Admin;
using Dispatch.Server.Calls;
using Dispatch.Server.Devices;
using Dispatch.Server.Errors;
using Dispatch.Server.Escalation;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Kpis;
using Dispatch.Server.Node;
using Dispatch.Server.Observability;
using Dispatch.Server.Ops;
using Dispatch.Server.Realtime;
using Dispatch.Server.Sessions;
using Dispatch.Server.Supervision;
using Dispatch.Server.Web;

if (DatabaseCommands.IsCommand(args))
{
    return await DatabaseCommands.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

// Every API body is small; a large one is a mistake or an attack.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = 16 * 1024);

builder.AddDispatchData();
builder.AddErrors();
builder.AddObservability();
builder.AddSessions();
builder.AddCalls();
builder.AddEscalation();
builder.AddRealtime();
builder.AddWatchdog();
builder.AddOps();
builder.AddKpis();
builder.AddSupervision();
builder.AddDevices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestMetrics();
app.UseHubAdmission();
app.UseWeb();
app.UseAuthentication();
app.UseAuthorization();

app.MapHealth();
app.MapObservability();
app.MapSessions();
app.MapCalls();
app.MapRealtime();
app.MapWatchdog();
app.MapOps();
app.MapKpis();
app.MapDevices();

await app.RunAsync();
// 75 after a drain (WatchdogOptions.DrainedExitCode), so the supervisor's log says why.
return Environment.ExitCode;
