using Dispatch.Lines.Espa;
using Dispatch.Lines;
using Dispatch.Lines.Tap;

namespace Dispatch.Gateway.Paging;

/// <summary>
/// Sends the server's pages to the paging server: every Gateway:Paging:PollMs it claims the due
/// pages, opens the link, sends them, reports each the paging server answered, and closes the
/// link. A page not answered (no answer, a refusal, the link down) is handed out again by the
/// server after Paging:RetrySeconds, up to Paging:Tries, then failed there (page_failed).
/// </summary>
public sealed partial class PagingWorker(PagingLinkOptions options, PageDesk desk, GatewayMetrics metrics, TimeProvider time, ILogger<PagingWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var link = new LineLink(options);
        IPageSender sender = options.Protocol == LineLinkOptions.Tap ? new TapSender(options) : new EspaSender(options);
        Log.Starting(logger, options.Protocol, link.Describe());
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.PollMs), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var pages = await desk.ClaimAsync(stoppingToken);
                if (pages.Count == 0)
                {
                    continue;
                }
                var answered = 0;
                await using (var channel = new LineChannel(await link.OpenAsync(stoppingToken), () => { }))
                {
                    await sender.SendAsync(channel, pages, async page =>
                    {
                        answered++;
                        metrics.PageOut(answered: true, page.Try);
                        await desk.ReportSentAsync(page.Id, stoppingToken);
                    }, stoppingToken);
                }
                foreach (var page in pages.Skip(answered))
                {
                    metrics.PageOut(answered: false, page.Try);
                }
                if (answered < pages.Count)
                {
                    Log.Unanswered(logger, pages.Count - answered, pages.Count);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.RoundFailed(logger, e.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4201, LogLevel.Information, "Paging ({Protocol}): {Link}")]
        public static partial void Starting(ILogger logger, string protocol, string link);

        [LoggerMessage(4202, LogLevel.Warning, "Paging: {Unanswered} of {Count} pages not answered by the paging server; the server hands them out again")]
        public static partial void Unanswered(ILogger logger, int unanswered, int count);

        [LoggerMessage(4203, LogLevel.Warning, "Paging: a round failed ({Reason}); its pages are handed out again")]
        public static partial void RoundFailed(ILogger logger, string reason);
    }
}
