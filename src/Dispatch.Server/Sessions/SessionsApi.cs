using System.Net;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Sessions;

public static class SessionsApi
{
    public static IHostApplicationBuilder AddSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddValidatedOptions<StaffSessionOptions>(StaffSessionOptions.Section);
        builder.Services.AddValidatedOptions<SignInOptions>(SignInOptions.Section);
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddSingleton<KeyGuesses>();
        builder.Services.AddSingleton<SessionTokens>();
        // Behind nginx the client's address (for throttling and the audit) is the X-Forwarded-For
        // that nginx appends: trusted from loopback and SignIn:TrustedProxies only.
        builder.Services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<SignInOptions>>((forwarded, signIn) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            foreach (var proxy in signIn.Value.TrustedProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }
        });
        builder.Services.AddAuthentication(SessionAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, SessionAuthenticationHandler>(SessionAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(StaffPolicies.Admin, policy => policy.RequireRole(StaffUser.Admin))
            .AddPolicy(StaffPolicies.Ops, policy => policy.RequireRole(StaffUser.Admin, StaffUser.Manager));
        return builder;
    }

    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/api/sessions").WithTags("Sessions");
        sessions.MapPost("/", LoginAsync).AllowAnonymous();
        sessions.MapGet("/current", CurrentSession).RequireAuthorization();
        sessions.MapDelete("/current", LogoutAsync).RequireAuthorization();
        sessions.MapPost("/{sessionId:long}/revoke", RevokeSessionAsync).RequireAuthorization(StaffPolicies.Admin);

        var staff = app.MapGroup("/api/staff").WithTags("Staff").RequireAuthorization();
        staff.MapPut("/me/duty", SetDutyAsync);
        staff.MapPut("/me/password", ChangePasswordAsync);
        staff.MapPost("/{staffId:int}/password", ResetPasswordAsync).RequireAuthorization(StaffPolicies.Admin);
        staff.MapPost("/{staffId:int}/sessions/revoke", RevokeAllSessionsAsync).RequireAuthorization(StaffPolicies.Admin);
        return app;
    }

    private const int MinPasswordLength = 12;
    private const int MaxPasswordLength = 256;

    private sealed record LoginRow(int Id, string PasswordHash, string Role, int? WardId, string DisplayName, bool OnDuty);

    private sealed record SessionRow(long Id, DateTime ExpiresAt);

    private sealed record PasswordRow(string Username, string PasswordHash);

    /// <summary>
    /// Who this session is: 200 while it is valid, 401 once signed out, revoked or expired. A client
    /// whose reconnect is refused asks here to tell "signed out" from "the server is unreachable".
    /// </summary>
    private static Ok<CurrentSession> CurrentSession(HttpContext context)
    {
        var staff = StaffUser.From(context.User);
        return TypedResults.Ok(new CurrentSession(staff.StaffId, staff.DisplayName, staff.Role, staff.WardId));
    }

    private static async Task<Results<Ok<LoginResponse>, ProblemHttpResult>> LoginAsync(
        LoginRequest request, HttpContext context, MySqlDataSource dataSource, Transactions transactions, SignInThrottle throttle,
        IOptions<StaffSessionOptions> options, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Username) || string.IsNullOrEmpty(request.Password)
            || request.Username.Length > 64 || request.Password.Length > 256)
        {
            return TypedResults.Problem("Username and password are required.", statusCode: StatusCodes.Status400BadRequest);
        }

        var username = request.Username.Trim();
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        await throttle.ThrowIfThrottledAsync(username, address, ct);
        LoginRow? staff;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            staff = await conn.QuerySingleOrDefaultAsync<LoginRow>(new CommandDefinition(
                SessionQueries.FindStaffForLogin, new { Username = username }, cancellationToken: ct));
        }
        // Checked for an unknown username too (against a decoy), so both answers take as long.
        var passwordMatches = await throttle.CheckPasswordAsync(request.Password, staff?.PasswordHash, ct);
        if (staff is null || !passwordMatches)
        {
            await throttle.RecordFailureAsync(username, address, staff?.Id, "login_failed", ct);
            return TypedResults.Problem("Unknown username or wrong password.", statusCode: StatusCodes.Status401Unauthorized,
                extensions: new Dictionary<string, object?> { ["code"] = RefusalCodes.WrongCredentials });
        }

        var sessionToken = Secrets.NewToken();
        var session = await transactions.RunAsync(async (tx, token) =>
        {
            var row = await tx.Connection!.QuerySingleAsync<SessionRow>(new CommandDefinition(SessionQueries.Insert,
                new { StaffId = staff.Id, TokenHash = Secrets.Hash(sessionToken), options.Value.LifetimeHours }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, staff.Id, "login", null, $"session {row.Id}", token);
            return row;
        }, ct);

        return TypedResults.Ok(new LoginResponse(sessionToken, DbTime.ToOffset(session.ExpiresAt), staff.Id, staff.DisplayName, staff.Role, staff.WardId, staff.OnDuty));
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, MySqlDataSource dataSource, CancellationToken ct)
    {
        var user = StaffUser.From(context.User);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(SessionQueries.Revoke, new { user.SessionId }, cancellationToken: ct));
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> RevokeSessionAsync(long sessionId, HttpContext context, Transactions transactions, CancellationToken ct)
    {
        var admin = StaffUser.From(context.User);
        await transactions.RunAsync(async (tx, token) =>
        {
            if (await tx.Connection!.ExecuteAsync(new CommandDefinition(SessionQueries.Revoke, new { SessionId = sessionId }, tx, cancellationToken: token)) == 0)
            {
                throw RefusedException.NotFound($"Session {sessionId} does not exist or is already revoked.");
            }
            await AuditLog.AppendAsync(tx, AuditLog.Staff, admin.StaffId, "session_revoked", null, $"session {sessionId}", token);
        }, ct);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<int>> RevokeAllSessionsAsync(int staffId, HttpContext context, Transactions transactions, CancellationToken ct)
    {
        var admin = StaffUser.From(context.User);
        return TypedResults.Ok(await transactions.RunAsync(async (tx, token) =>
        {
            if (await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(SessionQueries.StaffExists, new { StaffId = staffId }, tx, cancellationToken: token)) == 0)
            {
                throw RefusedException.NotFound($"There is no staff member {staffId}.");
            }
            var revoked = await tx.Connection!.ExecuteAsync(new CommandDefinition(SessionQueries.RevokeAllOfStaff, new { StaffId = staffId }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, admin.StaffId, "sessions_revoked", null, $"staff {staffId}: {revoked} sessions", token);
            return revoked;
        }, ct));
    }

    private static async Task<NoContent> SetDutyAsync(DutyRequest request, HttpContext context, Transactions transactions, CancellationToken ct)
    {
        var user = StaffUser.From(context.User);
        await transactions.RunAsync(async (tx, token) =>
        {
            await tx.Connection!.ExecuteAsync(new CommandDefinition(SessionQueries.SetDuty, new { user.StaffId, request.OnDuty }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, user.StaffId, request.OnDuty ? "duty_on" : "duty_off", null, null, token);
        }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The staff member's own new password; their other sessions end (a session someone else holds stops with it).</summary>
    private static async Task<NoContent> ChangePasswordAsync(
        ChangePasswordRequest request, HttpContext context, MySqlDataSource dataSource, Transactions transactions, SignInThrottle throttle,
        CancellationToken ct)
    {
        if (string.IsNullOrEmpty(request.CurrentPassword) || request.NewPassword is not { Length: >= MinPasswordLength and <= MaxPasswordLength })
        {
            throw RefusedException.BadRequest($"Send currentPassword and a newPassword of {MinPasswordLength} to {MaxPasswordLength} characters.");
        }
        if (request.NewPassword == request.CurrentPassword)
        {
            throw RefusedException.BadRequest("The new password is the current one.");
        }
        var user = StaffUser.From(context.User);
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        PasswordRow staff;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            staff = await conn.QuerySingleAsync<PasswordRow>(new CommandDefinition(SessionQueries.PasswordOfStaff, new { user.StaffId }, cancellationToken: ct));
        }
        // A guess at the current password (say, from a session left open) counts against the same
        // budget as a sign-in's, and is checked a bounded number at a time.
        await throttle.ThrowIfThrottledAsync(staff.Username, address, ct);
        if (!await throttle.CheckPasswordAsync(request.CurrentPassword, staff.PasswordHash, ct))
        {
            await throttle.RecordFailureAsync(staff.Username, address, user.StaffId, "password_change_failed", ct);
            // 403, not 401: the session is fine, the password typed is not.
            throw RefusedException.Forbidden("The current password is wrong; nothing was changed.", RefusalCodes.WrongPassword);
        }
        await transactions.RunAsync(async (tx, token) =>
        {
            var conn = tx.Connection!;
            var stored = await conn.QuerySingleAsync<string>(new CommandDefinition(SessionQueries.PasswordHashForUpdate, new { user.StaffId }, tx, cancellationToken: token));
            if (stored != staff.PasswordHash)
            {
                throw RefusedException.Conflict("The password was changed meanwhile (another session or an admin); nothing was changed.");
            }
            await conn.ExecuteAsync(new CommandDefinition(SessionQueries.SetPassword,
                new { user.StaffId, PasswordHash = PasswordHasher.Hash(request.NewPassword) }, tx, cancellationToken: token));
            var ended = await conn.ExecuteAsync(new CommandDefinition(SessionQueries.RevokeOthersOfStaff, new { user.StaffId, user.SessionId }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, user.StaffId, "password_changed", null, $"{ended} other sessions ended", token);
        }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>A forgotten password: an administrator sets a random one, shown once; every session of that staff member ends.</summary>
    private static async Task<Ok<PasswordReset>> ResetPasswordAsync(int staffId, HttpContext context, Transactions transactions, CancellationToken ct)
    {
        var admin = StaffUser.From(context.User);
        var password = Secrets.NewToken()[..16];
        await transactions.RunAsync(async (tx, token) =>
        {
            var conn = tx.Connection!;
            if (await conn.ExecuteAsync(new CommandDefinition(SessionQueries.SetPassword,
                    new { StaffId = staffId, PasswordHash = PasswordHasher.Hash(password) }, tx, cancellationToken: token)) == 0)
            {
                throw RefusedException.NotFound($"Staff member {staffId} does not exist.");
            }
            var ended = await conn.ExecuteAsync(new CommandDefinition(SessionQueries.RevokeAllOfStaff, new { StaffId = staffId }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, admin.StaffId, "password_reset", null, $"staff {staffId}: {ended} sessions ended", token);
        }, ct);
        return TypedResults.Ok(new PasswordReset(staffId, password));
    }
}
