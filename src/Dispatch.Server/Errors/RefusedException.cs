namespace Dispatch.Server.Errors;

/// <summary>
/// A request that cannot be carried out, with the HTTP status and the sentence the caller sees.
/// Thrown inside a transaction it also rolls the transaction back, so a refusal changes nothing.
/// </summary>
public sealed class RefusedException(int statusCode, string detail, int? retryAfterSeconds = null) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>For a 429: when to try again (the Retry-After header).</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public static RefusedException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);
    public static RefusedException Unauthorized(string detail) => new(StatusCodes.Status401Unauthorized, detail);
    public static RefusedException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, detail);
    public static RefusedException NotFound(string detail) => new(StatusCodes.Status404NotFound, detail);
    public static RefusedException Conflict(string detail) => new(StatusCodes.Status409Conflict, detail);
    public static RefusedException TooManyRequests(string detail, int retryAfterSeconds) => new(StatusCodes.Status429TooManyRequests, detail, retryAfterSeconds);
}
