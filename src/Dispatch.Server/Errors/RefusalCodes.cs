namespace Dispatch.Server.Errors;

/// <summary>
/// A stable word for each refusal, beside its English sentence: a screen says the refusals it
/// knows in its own language and shows the sentence of the others (docs/api.md, "Refusals").
/// Problem details carry it as <c>code</c>; a hub refusal ends with it in brackets.
/// </summary>
public static class RefusalCodes
{
    public const string NotYourWard = "not_your_ward";
    public const string WardNotFound = "ward_not_found";
    public const string CallNotFound = "call_not_found";
    public const string CallNotOpen = "call_not_open";
    public const string AlreadyRejected = "already_rejected";
    public const string NotAssignedToYou = "not_assigned_to_you";
    public const string TopOfLadder = "top_of_ladder";
    public const string UnknownKey = "unknown_key";
    public const string WrongCredentials = "wrong_credentials";
    public const string WrongPassword = "wrong_password";
    public const string TooManyAttempts = "too_many_attempts";
    public const string RetryLater = "retry_later";
    public const string MaybeSaved = "maybe_saved";

    /// <summary>The code of a refusal that has no word of its own: its status's.</summary>
    public static string ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad_request",
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not_found",
        StatusCodes.Status405MethodNotAllowed => "method_not_allowed",
        StatusCodes.Status409Conflict => "conflict",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status429TooManyRequests => TooManyAttempts,
        StatusCodes.Status503ServiceUnavailable => RetryLater,
        >= 500 => "internal_error",
        _ => "refused",
    };

    /// <summary>What a hub caller receives: the sentence, then the code in brackets ("Ward 3 is not your ward. [not_your_ward]").</summary>
    public static string HubMessage(string sentence, string code) => $"{sentence} [{code}]";
}
