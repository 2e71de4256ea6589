using Dispatch.Server.Infrastructure;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace Dispatch.Server.Errors;

/// <summary>
/// Turns every failure into problem details: refusals with their own status, unreadable requests
/// as 400/413, and a database that is deadlocked past its retries or unreachable as 503 so that
/// callers retry. Never a stack trace.
/// </summary>
public sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    private const string Deadlocked = "The database stayed deadlocked after 3 retries; nothing was saved. Retry the request.";
    private const string Unavailable = "The database could not be reached or the connection to it broke; nothing was saved. Retry the request.";
    private const string MaybeSaved = "The connection to the database broke while the change was being committed; it may or may not have been saved. A raise may be sent again (it returns the same call); look before repeating any other change.";

    /// <summary>
    /// What a caller is told, over HTTP (with 503) or the hub, when a failure means "retry later",
    /// and its code; null for any other failure.
    /// </summary>
    public static (string Sentence, string Code)? RetryLater(Exception exception) => exception switch
    {
        CommitOutcomeUnknownException => (MaybeSaved, RefusalCodes.MaybeSaved),
        _ when DatabaseFailures.IsDeadlock(exception) => (Deadlocked, RefusalCodes.RetryLater),
        _ when DatabaseFailures.IsUnavailable(exception) => (Unavailable, RefusalCodes.RetryLater),
        _ => null,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail, code) = exception switch
        {
            RefusedException refused => (refused.StatusCode, null, refused.Message, refused.Code),
            BadHttpRequestException bad => (bad.StatusCode, "The request could not be read.", ReadableReason(bad), null),
            _ when RetryLater(exception) is { } later => (StatusCodes.Status503ServiceUnavailable, "Database unavailable", later.Sentence, later.Code),
            _ => (StatusCodes.Status500InternalServerError, "Unexpected error", "The request failed; it has been logged.", null),
        };
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            // Expected while the database is away: one line, the cause's sentence, no stack trace.
            Log.RequestRefusedForNow(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
        }
        else if (status >= 500)
        {
            Log.RequestFailed(logger, exception, httpContext.Request.Method, httpContext.Request.Path, status);
        }

        httpContext.Response.StatusCode = status;
        if (exception is RefusedException { RetryAfterSeconds: { } retryAfter })
        {
            httpContext.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code ?? RefusalCodes.ForStatus(status) } },
        });
    }

    private static string ReadableReason(BadHttpRequestException bad) => bad switch
    {
        { StatusCode: StatusCodes.Status413PayloadTooLarge } => "The request body is too large.",
        { InnerException: JsonException json } => JsonReason(json),
        _ => bad.Message,
    };

    /// <summary>Names the field at fault: a required one missing (the body's record lists what it requires), or the one that did not read.</summary>
    private static string JsonReason(JsonException json)
    {
        if (json.Message.Contains("missing required properties", StringComparison.Ordinal))
        {
            var fields = QuotedNames().Matches(json.Message[json.Message.IndexOf("including:", StringComparison.Ordinal)..]).Select(m => m.Value);
            return $"The request body lacks a required field: {string.Join(", ", fields)}. Nothing was saved.";
        }
        return json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal)
            ? $"The request body is not valid JSON for this endpoint: '{path[2..]}' is missing a value or has one of the wrong kind."
            : "The request body is not valid JSON for this endpoint.";
    }

    [GeneratedRegex("'[^']+'")]
    private static partial Regex QuotedNames();

    private static partial class Log
    {
        [LoggerMessage(1900, LogLevel.Error, "{Method} {Path} failed with {Status}")]
        public static partial void RequestFailed(ILogger logger, Exception exception, string method, string path, int status);

        [LoggerMessage(1901, LogLevel.Warning, "{Method} {Path} answered 503: {Cause}: {Reason}")]
        public static partial void RequestRefusedForNow(ILogger logger, string method, string path, string cause, string reason);
    }
}

public static class ErrorsExtensions
{
    /// <summary>Every API body is small; a larger one is a mistake or an attack (413).</summary>
    public const int MaxRequestBodyBytes = 16 * 1024;

    public static IHostApplicationBuilder AddErrors(this IHostApplicationBuilder builder)
    {
        // Problems written for a bare status code (by the framework, before any handler) still get a sentence, and every problem a code.
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.TryAdd("code", RefusalCodes.ForStatus(context.ProblemDetails.Status ?? StatusCodes.Status500InternalServerError));
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status400BadRequest => "The request could not be read.",
                StatusCodes.Status401Unauthorized => "Sign in first: send 'Authorization: Bearer <session token>'.",
                StatusCodes.Status403Forbidden => "Your role may not do this.",
                StatusCodes.Status404NotFound => "There is nothing at this address.",
                StatusCodes.Status405MethodNotAllowed => "This address does not take that method.",
                StatusCodes.Status413PayloadTooLarge => $"The request body is too large (the limit is {MaxRequestBodyBytes / 1024} KiB).",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as application/json.",
                _ => null,
            };
        });
        // Unreadable bodies raise BadHttpRequestException so that the handler can say what was wrong.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // Strict bodies: a field a request record requires (a constructor parameter without a
        // default) must be present, and one it declares non-null must not be null. A missing
        // {"onDuty"} is a 400 naming it, never a silent false.
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.RespectRequiredConstructorParameters = true;
            options.SerializerOptions.RespectNullableAnnotations = true;
        });
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }
}
