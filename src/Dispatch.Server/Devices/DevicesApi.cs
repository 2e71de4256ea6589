using Dispatch.Contracts;
using Dispatch.Server.Errors;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.Server.Devices;

public static class DevicesApi
{
    public static IHostApplicationBuilder AddDevices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeviceRegistry>();
        builder.Services.AddSingleton<DeviceHeartbeats>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/api/devices").WithTags("Devices");
        devices.MapGet("", ListAsync).RequireAuthorization(StaffPolicies.Ops);
        devices.MapPost("", RegisterAsync).RequireAuthorization(StaffPolicies.Admin);
        devices.MapDelete("/{deviceId:int}", RetireAsync).RequireAuthorization(StaffPolicies.Admin);
        // Bedside: authenticated by the device's own key.
        devices.MapPost("/heartbeat", HeartbeatAsync).WithTags("Bedside").AllowAnonymous();
        return app;
    }

    /// <summary>A bed device says it is alive (every minute or so); a device that reported once and falls silent gets a trouble call.</summary>
    private static async Task<NoContent> HeartbeatAsync([FromHeader(Name = DispatchHeaders.DeviceKey)] string? deviceKey, DeviceHeartbeats heartbeats, CancellationToken ct)
    {
        await heartbeats.RecordAsync(deviceKey, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<DeviceRow>>> ListAsync(int? ward, DeviceRegistry registry, CancellationToken ct) =>
        TypedResults.Ok(await registry.ListAsync(ward, ct));

    private static async Task<Created<RegisteredDevice>> RegisterAsync(
        RegisterDeviceRequest? request, HttpContext context, DeviceRegistry registry, CancellationToken ct)
    {
        var device = await registry.RegisterAsync(request ?? throw RefusedException.BadRequest("Send {kind, name, bedId or wardId}."),
            StaffUser.From(context.User), ct);
        return TypedResults.Created($"/api/devices/{device.Id}", device);
    }

    private static async Task<NoContent> RetireAsync(int deviceId, HttpContext context, DeviceRegistry registry, CancellationToken ct)
    {
        await registry.RetireAsync(deviceId, StaffUser.From(context.User), ct);
        return TypedResults.NoContent();
    }
}
