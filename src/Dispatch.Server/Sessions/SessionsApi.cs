using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Realtime;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Sessions;

public sealed record DutyRequest(bool OnDuty);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>A new password set by an administrator: shown this once, only its hash is kept.</summary>
public sealed record PasswordReset(int StaffId, string Password);

public static class SessionsApi
{
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StaffSessionOptions>()
            .BindConfiguration(StaffSessionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        builder.Services.AddHostedService<SessionWatch>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffUser.Admin, policy => policy.RequireRole(StaffUser.Admin));
        return builder;
    }

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").WithTags("Sessions");
        sessions.MapPost("/", LoginAsync).AllowAnonymous();
        sessions.MapDelete("/current", LogoutAsync).RequireAuthorization();
        sessions.MapPost("/{sessionId:long}/revoke", RevokeSessionAsync).RequireAuthorization(StaffUser.Admin);

        var staff = app.MapGroup("/api/staff").WithTags("Staff").RequireAuthorization();
        staff.MapPut("/me/duty", SetDutyAsync);
        staff.MapPut("/me/password", ChangePasswordAsync);
        staff.MapPost("/{staffId:int}/password", ResetPasswordAsync).RequireAuthorization(StaffUser.Admin);
        staff.MapPost("/{staffId:int}/sessions/revoke", RevokeAllSessionsAsync).RequireAuthorization(StaffUser.Admin);
        return app;
    }

    private const int MinPasswordLength = 12;
    private const int MaxPasswordLength = 256;

    private sealed record LoginRow(int Id, string PasswordHash, string Role, int? WardId, string DisplayName, bool OnDuty);

    private sealed record SessionRow(long Id, DateTime ExpiresAt);

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, MySqlDataSource dataSource, IOptions<StaffSessionOptions> options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password)
            || request.Username.Length > 64 || request.Password.Length > 256)
        {
            return TypedResults.Problem("Username and password are required.", statusCode: StatusCodes.Status400BadRequest);
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var staff = await conn.QuerySingleOrDefaultAsync<LoginRow>(new CommandDefinition(
            SessionQueries.FindStaffForLogin, new { request.Username }, cancellationToken: ct));
        if (staff is null || !PasswordHasher.Verify(request.Password, staff.PasswordHash))
        {
            return TypedResults.Problem("Unknown username or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
        }

        var token = Secrets.NewToken();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var session = await conn.QuerySingleAsync<SessionRow>(new CommandDefinition(SessionQueries.Insert,
            new { StaffId = staff.Id, TokenHash = Secrets.Hash(token), options.Value.LifetimeHours }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.InsertAudit,
            new { ActorId = staff.Id, Action = "login", Detail = $"session {session.Id}" }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);

        return TypedResults.Ok(new LoginResponse(token, DbTime.ToOffset(session.ExpiresAt), staff.Id, staff.DisplayName, staff.Role, staff.WardId, staff.OnDuty));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        var user = StaffUser.From(context.User);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.Revoke, new { user.SessionId }, cancellationToken: ct));
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSessionAsync(
        long sessionId, HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        var admin = StaffUser.From(context.User);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var revoked = await conn.ExecuteAsync(new CommandDefinition(SessionQueries.Revoke, new { SessionId = sessionId }, tx, cancellationToken: ct));
        if (revoked == 0)
        {
            return TypedResults.Problem($"Session {sessionId} does not exist or is already revoked.", statusCode: StatusCodes.Status404NotFound);
        }
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.InsertAudit,
            new { ActorId = admin.StaffId, Action = "session_revoked", Detail = $"session {sessionId}" }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<int>> RevokeAllSessionsAsync(
        int staffId, HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        var admin = StaffUser.From(context.User);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var revoked = await conn.ExecuteAsync(new CommandDefinition(SessionQueries.RevokeAllOfStaff, new { StaffId = staffId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.InsertAudit,
            new { ActorId = admin.StaffId, Action = "sessions_revoked", Detail = $"staff {staffId}: {revoked} sessions" }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok(revoked);
    }

    private static async Task<NoContent> SetDutyAsync(
        DutyRequest request, HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        var user = StaffUser.From(context.User);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.SetDuty, new { user.StaffId, request.OnDuty }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.InsertAudit,
            new { ActorId = user.StaffId, Action = request.OnDuty ? "duty_on" : "duty_off", Detail = (string?)null }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>The staff member's own new password; their other sessions end (a session someone else holds stops with it).</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword) || request.NewPassword is not { Length: >= MinPasswordLength and <= MaxPasswordLength })
        {
            return TypedResults.Problem($"Send currentPassword and a newPassword of {MinPasswordLength} to {MaxPasswordLength} characters.",
                statusCode: StatusCodes.Status400BadRequest);
        }
        if (request.NewPassword == request.CurrentPassword)
        {
            return TypedResults.Problem("The new password is the current one.", statusCode: StatusCodes.Status400BadRequest);
        }
        var user = StaffUser.From(context.User);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var stored = await conn.QuerySingleAsync<string>(new CommandDefinition(SessionQueries.PasswordHashForUpdate, new { user.StaffId }, tx, cancellationToken: ct));
        if (!PasswordHasher.Verify(request.CurrentPassword, stored))
        {
            // 403, not 401: the session is fine, the password typed is not.
            return TypedResults.Problem("The current password is wrong; nothing was changed.", statusCode: StatusCodes.Status403Forbidden);
        }
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.SetPassword,
            new { user.StaffId, PasswordHash = PasswordHasher.Hash(request.NewPassword) }, tx, cancellationToken: ct));
        var ended = await conn.ExecuteAsync(new CommandDefinition(SessionQueries.RevokeOthersOfStaff, new { user.StaffId, user.SessionId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.InsertAudit,
            new { ActorId = user.StaffId, Action = "password_changed", Detail = $"{ended} other sessions ended" }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>A forgotten password: an administrator sets a random one, shown once; every session of that staff member ends.</summary>
    private static async Task<Results<Ok<PasswordReset>, ProblemHttpResult>> ResetPasswordAsync(
        int staffId, HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        var admin = StaffUser.From(context.User);
        var password = Secrets.NewToken()[..16];
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await conn.ExecuteAsync(new CommandDefinition(SessionQueries.SetPassword,
                new { StaffId = staffId, PasswordHash = PasswordHasher.Hash(password) }, tx, cancellationToken: ct)) == 0)
        {
            return TypedResults.Problem($"Staff member {staffId} does not exist.", statusCode: StatusCodes.Status404NotFound);
        }
        var ended = await conn.ExecuteAsync(new CommandDefinition(SessionQueries.RevokeAllOfStaff, new { StaffId = staffId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.InsertAudit,
            new { ActorId = admin.StaffId, Action = "password_reset", Detail = $"staff {staffId}: {ended} sessions ended" }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return TypedResults.Ok(new PasswordReset(staffId, password));
    }
}
