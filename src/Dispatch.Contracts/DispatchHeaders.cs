namespace Dispatch.Contracts;

/// <summary>HTTP header names of the API.</summary>
public static class DispatchHeaders
{
    /// <summary>A bed device's (or station's) key: authenticates bedside requests.</summary>
    public const string DeviceKey = "X-Device-Key";
}
