using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Paging;

/// <summary>
/// Marks stopped the pages of calls answered meanwhile, and fails those that have used their tries
/// unanswered (on the cluster's lead; each page's row lock lets one node act).
/// </summary>
public sealed partial class PageWatch(
    PageDesk desk,
    DispatchMetrics metrics,
    IOptions<PagingOptions> options,
    ClusterLead lead,
    TimeProvider time,
    ILogger<PageWatch> logger) : PeriodicDatabaseWork(time, logger, lead)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(options.Value.CheckSeconds);

    protected override async Task RunOnceAsync(CancellationToken ct)
    {
        await desk.StopAnsweredAsync(ct);
        foreach (var pageId in await desk.ExhaustedAsync(ct))
        {
            if (await desk.FailAsync(pageId, ct) is { } call)
            {
                metrics.PageFailed();
                Log.PageFailed(logger, pageId, call.Id, call.WardId);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1860, LogLevel.Warning, "Page {PageId} about call {CallId} was never answered by the paging server; ward {WardId} is told (page_failed)")]
        public static partial void PageFailed(ILogger logger, long pageId, long callId, int wardId);
    }
}
