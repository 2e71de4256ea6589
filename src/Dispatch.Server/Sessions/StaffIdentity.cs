using System.Globalization;
using System.Security.Claims;

namespace Dispatch.Server.Sessions;

/// <summary>
/// The signed-in staff member as the identity of a request or hub connection. It holds the
/// <see cref="StaffUser"/> itself and makes the claims only when they are asked for (a role by a
/// policy, the id by SignalR): a hub connection keeps its identity for its whole life, and five
/// claims with their strings were about 0.5 KiB of every station.
/// </summary>
public sealed class StaffIdentity(StaffUser staff, string scheme) : ClaimsIdentity(authenticationType: scheme)
{
    public const string SessionClaim = "sid";
    public const string WardClaim = "ward";

    public StaffUser Staff => staff;

    public override IEnumerable<Claim> Claims
    {
        get
        {
            yield return new Claim(ClaimTypes.NameIdentifier, staff.StaffId.ToString(CultureInfo.InvariantCulture));
            yield return new Claim(ClaimTypes.Name, staff.DisplayName);
            yield return new Claim(ClaimTypes.Role, staff.Role);
            yield return new Claim(SessionClaim, staff.SessionId.ToString(CultureInfo.InvariantCulture));
            if (staff.WardId is { } ward)
            {
                yield return new Claim(WardClaim, ward.ToString(CultureInfo.InvariantCulture));
            }
        }
    }
}
