using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Sessions;

public sealed class StaffSessionOptions
{
    public const string Section = "Sessions";

    /// <summary>A staff session lasts one long shift.</summary>
    [Range(1, 7 * 24)]
    public int LifetimeHours { get; set; } = 14;

    /// <summary>How often live hub connections' sessions are checked: a revoked one is closed within this.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>How long a patient tablet's one-time nonce stays valid.</summary>
    [Range(1, 24 * 60)]
    public int PatientNonceLifetimeMinutes { get; set; } = 12 * 60;
}
