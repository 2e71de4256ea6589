namespace Dispatch.Server.Sessions;

/// <summary>Authorization policies by role, registered with the sessions.</summary>
public static class StaffPolicies
{
    /// <summary>Administration: devices, passwords, sessions, draining a node.</summary>
    public const string Admin = "admin";

    /// <summary>Managers and administration: the ops page, KPIs, the device list.</summary>
    public const string Ops = "ops";
}
