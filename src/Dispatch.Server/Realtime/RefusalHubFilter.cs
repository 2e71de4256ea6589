using Dispatch.Server.Errors;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>
/// Hub callers see the same sentences as HTTP callers (<see cref="ApiExceptionHandler"/>): a
/// refusal's own sentence, a database that is away as "retry", never an internal error. Each
/// failed invocation is logged once, here, as one line for a refusal (SignalR's own error entry
/// with a stack trace per refusal is switched off: a client could flood the log with them).
/// </summary>
public sealed partial class RefusalHubFilter(ILogger<RefusalHubFilter> logger) : IHubFilter
{
    /// <summary>The category SignalR logs every throwing invocation under, at Error with its stack trace.</summary>
    public const string DispatcherLogCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (RefusedException e)
        {
            Log.Refused(logger, invocationContext.HubMethodName, invocationContext.Context.UserIdentifier, e.StatusCode, e.Message);
            throw new HubException(RefusalCodes.HubMessage(e.Message, e.Code));
        }
        catch (Exception e) when (ApiExceptionHandler.RetryLater(e) is { } later)
        {
            Log.RetryLater(logger, invocationContext.HubMethodName, e.GetType().Name, e.Message);
            throw new HubException(RefusalCodes.HubMessage(later.Sentence, later.Code));
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            Log.Failed(logger, e, invocationContext.HubMethodName);
            throw;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1320, LogLevel.Information, "Hub {Method} by staff {StaffId} refused ({Status}): {Reason}")]
        public static partial void Refused(ILogger logger, string method, string? staffId, int status, string reason);

        [LoggerMessage(1321, LogLevel.Warning, "Hub {Method} answered retry-later: {Cause}: {Reason}")]
        public static partial void RetryLater(ILogger logger, string method, string cause, string reason);

        [LoggerMessage(1322, LogLevel.Error, "Hub {Method} failed")]
        public static partial void Failed(ILogger logger, Exception exception, string method);
    }
}
