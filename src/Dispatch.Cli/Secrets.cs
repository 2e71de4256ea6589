namespace Dispatch.Cli;

/// <summary>Secrets come from the environment, never the command line (where `ps` and shell history would show them).</summary>
internal static class Secrets
{
    public const string Password = "DISPATCH_PASSWORD";
    public const string Token = "DISPATCH_TOKEN";
    public const string DeviceKey = "DISPATCH_DEVICE_KEY";
    public const string StationKey = "DISPATCH_STATION_KEY";

    public static string Required(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"Set {variable} in the environment (secrets stay off the command line).");

    public static string? Optional(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value ? value : null;
}
