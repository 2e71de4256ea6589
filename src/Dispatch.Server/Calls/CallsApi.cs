using Dispatch.Contracts;
using Dispatch.Server.Clinical;
using Dispatch.Server.Errors;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.Server.Calls;

public static partial class CallsApi
{
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CallService>();
        builder.Services.AddSingleton<PatientSessions>();
        builder.Services.AddObservedGauge("pending_calls_count", "Calls raised and not yet acknowledged (all wards).",
            (sp, ct) => sp.GetRequiredService<CallService>().CountPendingAsync(ct));
        return builder;
    }

    public static IEndpointRouteBuilder MapCalls(this IEndpointRouteBuilder app)
    {
        // Bedside: authenticated by the bed device key or a patient nonce, checked per request.
        var bedside = app.MapGroup("/api").WithTags("Bedside").AllowAnonymous();
        bedside.MapPost("/calls", RaiseAsync);
        bedside.MapPost("/calls/{callId:long}/cancel", CancelAsync);
        bedside.MapPost("/beds/{bedId:int}/presence", PresenceAsync);

        // Staff: authenticated by their session.
        var staff = app.MapGroup("/api").WithTags("Calls").RequireAuthorization();
        staff.MapPost("/calls/{callId:long}/ack", AcknowledgeAsync);
        staff.MapGet("/wards/{wardId:int}/calls", ListOpenAsync);
        staff.MapGet("/staff/me/calls", ListMineAsync);
        staff.MapPost("/beds/{bedId:int}/patient-sessions", CreatePatientSessionAsync);
        return app;
    }

    /// <summary>
    /// 201 with a new call; 200 with the bed's open call of that kind, announced again (the press is
    /// counted), or with the call an earlier raise with the same Idempotency-Key raised.
    /// </summary>
    private static async Task<Results<Created<CallView>, Ok<CallView>>> RaiseAsync(
        RaiseCallRequest request,
        [FromHeader(Name = DispatchHeaders.DeviceKey)] string? deviceKey,
        [FromHeader(Name = DispatchHeaders.IdempotencyKey)] string? idempotencyKey,
        CallService calls,
        CancellationToken ct)
    {
        CheckIdempotencyKey(idempotencyKey);
        if (!CallKinds.IsKnown(request.Kind))
        {
            throw RefusedException.BadRequest($"'kind' must be one of: {string.Join(", ", CallKinds.All.Where(CallKindRules.MayBeRaisedAtBedside))}.");
        }
        if (!CallKindRules.MayBeRaisedAtBedside(request.Kind!))
        {
            throw RefusedException.BadRequest($"'{request.Kind}' calls are raised by the system when a device falls silent, not at the bedside.");
        }
        var (call, repeated) = await calls.RaiseAsync(request.BedId, request.Kind!, new BedCredential(deviceKey, request.Nonce), idempotencyKey, ct);
        return repeated ? TypedResults.Ok(call) : TypedResults.Created($"/api/calls/{call.Id}", call);
    }

    private static async Task<Ok<CallView>> CancelAsync(
        long callId, BedsideRequest? request, [FromHeader(Name = DispatchHeaders.DeviceKey)] string? deviceKey, CallService calls, CancellationToken ct) =>
        TypedResults.Ok(await calls.CancelAtBedsideAsync(callId, new BedCredential(deviceKey, request?.Nonce), ct));

    private static async Task<Ok<PresenceResult>> PresenceAsync(
        int bedId, PresenceRequest request, [FromHeader(Name = DispatchHeaders.DeviceKey)] string? deviceKey, CallService calls, CancellationToken ct) =>
        TypedResults.Ok(await calls.RegisterPresenceAsync(bedId, request.StaffId, deviceKey, ct));

    private static async Task<Ok<CallView>> AcknowledgeAsync(long callId, HttpContext context, CallService calls, CancellationToken ct) =>
        TypedResults.Ok(await calls.AcknowledgeAsync(callId, StaffUser.From(context.User), ct));

    private static async Task<Ok<IReadOnlyList<CallView>>> ListOpenAsync(int wardId, HttpContext context, CallService calls, CancellationToken ct)
    {
        if (!StaffUser.From(context.User).MayActOnWard(wardId))
        {
            throw RefusedException.Forbidden($"Ward {wardId} is not your ward.", RefusalCodes.NotYourWard);
        }
        return TypedResults.Ok(await calls.ListOpenAsync(wardId, ct));
    }

    /// <summary>Open calls assigned to me or, on duty, of my teams' kinds, whichever ward they belong to (escalations and teams reach staff of other wards).</summary>
    private static async Task<Ok<IReadOnlyList<CallView>>> ListMineAsync(HttpContext context, CallService calls, CancellationToken ct) =>
        TypedResults.Ok(await calls.ListForStaffAsync(StaffUser.From(context.User).StaffId, ct));

    private static async Task<Created<PatientSession>> CreatePatientSessionAsync(int bedId, HttpContext context, PatientSessions patientSessions, CancellationToken ct)
    {
        var session = await patientSessions.CreateAsync(bedId, StaffUser.From(context.User), ct);
        return TypedResults.Created((string?)null, session);
    }

    /// <summary>An Idempotency-Key, when sent, is one a raise can store.</summary>
    internal static void CheckIdempotencyKey(string? idempotencyKey)
    {
        if (idempotencyKey is not null && !IdempotencyKeyPattern().IsMatch(idempotencyKey))
        {
            throw RefusedException.BadRequest("'Idempotency-Key' must be 1 to 64 letters, digits and . _ : - (a new one for each press, e.g. a UUID).");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    private static partial Regex IdempotencyKeyPattern();
}
