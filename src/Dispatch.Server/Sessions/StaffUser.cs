using System.Globalization;
using System.Security.Claims;

namespace Dispatch.Server.Sessions;

/// <summary>The signed-in staff member behind a request or a hub connection.</summary>
public sealed record StaffUser(int StaffId, long SessionId, string Role, int? WardId, string DisplayName)
{
    public const string Nurse = "nurse";
    public const string Manager = "manager";
    public const string Admin = "admin";

    private const string SessionClaim = "sid";
    private const string WardClaim = "ward";

    public bool IsAdmin => Role == Admin;

    /// <summary>Nurses act on their own ward; managers and admins on every ward.</summary>
    public bool MayActOnWard(int wardId) => Role is Manager or Admin || WardId == wardId;

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, StaffId.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, DisplayName),
            new(ClaimTypes.Role, Role),
            new(SessionClaim, SessionId.ToString(CultureInfo.InvariantCulture)),
        };
        if (WardId is { } ward)
        {
            claims.Add(new(WardClaim, ward.ToString(CultureInfo.InvariantCulture)));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    public static StaffUser From(ClaimsPrincipal principal)
    {
        var ward = principal.FindFirstValue(WardClaim);
        return new StaffUser(
            int.Parse(principal.FindFirstValue(ClaimTypes.NameIdentifier)!, CultureInfo.InvariantCulture),
            long.Parse(principal.FindFirstValue(SessionClaim)!, CultureInfo.InvariantCulture),
            principal.FindFirstValue(ClaimTypes.Role)!,
            ward is null ? null : int.Parse(ward, CultureInfo.InvariantCulture),
            principal.FindFirstValue(ClaimTypes.Name)!);
    }
}
