namespace Dispatch.Contracts;

/// <summary>HTTP header names of the API.</summary>
public static class DispatchHeaders
{
    /// <summary>A bed device's (or station's) key: authenticates bedside requests.</summary>
    public const string DeviceKey = "X-Device-Key";

    /// <summary>
    /// Optional on a raise: a key the bed device chooses per press (1 to 64 letters, digits and
    /// . _ : -). Sent again after an unclear answer, it returns the call that press raised.
    /// </summary>
    public const string IdempotencyKey = "Idempotency-Key";
}
