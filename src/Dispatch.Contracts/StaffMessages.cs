namespace Dispatch.Contracts;

// Sign-in, duty and passwords.

/// <summary>Staff sign-in: POST /api/sessions.</summary>
public sealed record LoginRequest(string? Username, string? Password);

/// <summary>An opaque session token, used as "Authorization: Bearer" or the hub's access_token.</summary>
public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, int StaffId, string DisplayName, string Role, int? WardId, bool OnDuty);

public sealed record DutyRequest(bool OnDuty);

/// <summary>GET /api/sessions/current: the signed-in staff member (401 when the session is no longer valid).</summary>
public sealed record CurrentSession(int StaffId, string DisplayName, string Role, int? WardId);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>A new password set by an administrator: shown this once, only its hash is kept.</summary>
public sealed record PasswordReset(int StaffId, string Password);
