using Dispatch.Server.Admin;
using Dispatch.Server.Audit;
using Dispatch.Server.Calls;
using Dispatch.Server.Clinical;
using Dispatch.Server.Devices;
using Dispatch.Server.Errors;
using Dispatch.Server.Escalation;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Kpis;
using Dispatch.Server.Lines;
using Dispatch.Server.Node;
using Dispatch.Server.Observability;
using Dispatch.Server.Ops;
using Dispatch.Server.Paging;
using Dispatch.Server.Realtime;
using Dispatch.Server.Sessions;
using Dispatch.Server.Supervision;
using Dispatch.Server.Web;

if (DatabaseCommands.IsCommand(args))
{
    return await DatabaseCommands.RunAsync(args);
}

// The content root is the binary's folder, wherever the node is started from: its appsettings.json
// (the shipped log levels: no request lines, which would carry the hub's access_token) always loads.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Every API body is small; a large one is a mistake or an attack.
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = ErrorsExtensions.MaxRequestBodyBytes);

builder.AddInfrastructure();
builder.AddErrors();
builder.AddObservability();
builder.AddClinical();
builder.AddSessions();
builder.AddCalls();
builder.AddEscalation();
builder.AddDevices();
builder.AddLines();
builder.AddPaging();
builder.AddSupervision();
builder.AddKpis();
builder.AddRealtime();
builder.AddNode();

var app = builder.Build();

app.UseForwardedHeaders();
app.UseClientAddress();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseHttpHygiene();
app.UseHubRefusalsAsProblemDetails();
app.UseRequestMetrics();
app.UseHubAdmission();
app.UseWeb();
app.UseHubSignIn();
app.UseAuthentication();
app.UseAuthorization();

app.MapNode();
app.MapObservability();
app.MapSessions();
app.MapCalls();
app.MapEscalation();
app.MapDevices();
app.MapLines();
app.MapPaging();
app.MapKpis();
app.MapOps();
app.MapAudit();
app.MapRealtime();

await app.RunAsync();
// 75 after a drain (WatchdogOptions.DrainedExitCode), so the supervisor's log says why.
return Environment.ExitCode;
