namespace Dispatch.Server.Observability;

/// <summary>Why a credential was refused (the label of dispatch_credentials_refused_total).</summary>
public static class CredentialRefused
{
    /// <summary>A wrong password, at sign-in (or an unknown username) or as the current one at a password change.</summary>
    public const string WrongPassword = "wrong_password";

    /// <summary>A sign-in or password change refused with 429 before any check.</summary>
    public const string PasswordThrottled = "password_throttled";

    /// <summary>An unknown device, station or patient key (401).</summary>
    public const string UnknownKey = "unknown_key";

    /// <summary>An unknown key answered 429 (its address guessed too often).</summary>
    public const string KeyThrottled = "key_throttled";

    public static readonly string[] All = [WrongPassword, PasswordThrottled, UnknownKey, KeyThrottled];
}
