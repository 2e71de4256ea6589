using System.Security.Claims;

namespace Dispatch.Server.Sessions;

/// <summary>The signed-in staff member behind a request or a hub connection.</summary>
public sealed record StaffUser(int StaffId, long SessionId, string Role, int? WardId, string DisplayName)
{
    public const string Nurse = "nurse";
    public const string Manager = "manager";
    public const string Admin = "admin";

    public bool IsAdmin => Role == Admin;

    /// <summary>Nurses act on their own ward; managers and admins on every ward.</summary>
    public bool MayActOnWard(int wardId) => Role is Manager or Admin || WardId == wardId;

    public ClaimsPrincipal ToPrincipal(string scheme) => new(new StaffIdentity(this, scheme));

    /// <summary>The staff member of a principal made by <see cref="ToPrincipal"/> (every signed-in request's and connection's).</summary>
    public static StaffUser From(ClaimsPrincipal principal) =>
        (principal.Identity as StaffIdentity)?.Staff ?? throw new InvalidOperationException("The request is not signed in by a staff session.");
}
