using Dispatch.Server.Errors;
using Dispatch.Server.Ops;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Dispatch.Server.Devices;

public static class DevicesApi
{
    public static IHostApplicationBuilder AddDevices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DeviceRegistry>();
        return builder;
    }

    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/api/devices").WithTags("Devices");
        devices.MapGet("", ListAsync).RequireAuthorization(OpsApi.Policy);
        devices.MapPost("", RegisterAsync).RequireAuthorization(StaffUser.Admin);
        devices.MapDelete("/{deviceId:int}", RetireAsync).RequireAuthorization(StaffUser.Admin);
        return app;
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
