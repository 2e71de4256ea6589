using Dispatch.Server.Errors;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>
/// Hub callers see the same sentences as HTTP callers (<see cref="ApiExceptionHandler"/>): a
/// refusal's own sentence, a database that is away as "retry", never an internal error.
/// </summary>
public sealed class RefusalHubFilter : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (RefusedException e)
        {
            throw new HubException(e.Message);
        }
        catch (Exception e) when (ApiExceptionHandler.RetryLaterSentence(e) is { } sentence)
        {
            throw new HubException(sentence);
        }
    }
}
