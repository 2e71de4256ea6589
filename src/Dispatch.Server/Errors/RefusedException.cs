namespace Dispatch.Server.Errors;

/// <summary>
/// A request that cannot be carried out, with the HTTP status, the sentence the caller sees and
/// its code (<see cref="RefusalCodes"/>; the status's when it has no word of its own). Thrown
/// inside a transaction it also rolls the transaction back, so a refusal changes nothing.
/// </summary>
public sealed class RefusedException(int statusCode, string detail, int? retryAfterSeconds = null, string? code = null) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>For a 429: when to try again (the Retry-After header).</summary>
    public int? RetryAfterSeconds { get; } = retryAfterSeconds;

    public string Code { get; } = code ?? RefusalCodes.ForStatus(statusCode);

    public static RefusedException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, detail);
    public static RefusedException Unauthorized(string detail, string? code = null) => new(StatusCodes.Status401Unauthorized, detail, code: code);
    public static RefusedException Forbidden(string detail, string? code = null) => new(StatusCodes.Status403Forbidden, detail, code: code);
    public static RefusedException NotFound(string detail, string? code = null) => new(StatusCodes.Status404NotFound, detail, code: code);
    public static RefusedException Conflict(string detail, string? code = null) => new(StatusCodes.Status409Conflict, detail, code: code);
    public static RefusedException TooManyRequests(string detail, int retryAfterSeconds) => new(StatusCodes.Status429TooManyRequests, detail, retryAfterSeconds, RefusalCodes.TooManyAttempts);
}
