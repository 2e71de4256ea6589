using Dispatch.Contracts;
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
        // The server and the paging link are each said to fail once, and to work again once, not every round.
        var (serverFailing, linkFailing) = (false, false);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            IReadOnlyList<PageToSend> pages;
            try
            {
                pages = await desk.ClaimAsync(stoppingToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                if (!serverFailing)
                {
                    Log.ServerUnreachable(logger, e.Message);
                }
                serverFailing = true;
                continue;
            }
            if (serverFailing)
            {
                Log.ServerBack(logger);
                serverFailing = false;
            }
            if (pages.Count == 0)
            {
                continue;
            }
            try
            {
                var answered = await SendAsync(link, sender, pages, stoppingToken);
                if (linkFailing)
                {
                    Log.LinkBack(logger);
                    linkFailing = false;
                }
                if (answered < pages.Count)
                {
                    Log.Unanswered(logger, pages.Count - answered, pages.Count);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or TimeoutException or UnauthorizedAccessException
                or HttpRequestException or TaskCanceledException && !stoppingToken.IsCancellationRequested)
            {
                foreach (var page in pages)
                {
                    metrics.PageOut(answered: false, page.Try);
                }
                if (!linkFailing)
                {
                    Log.LinkFailed(logger, e.Message);
                }
                linkFailing = true;
            }
        }
    }

    /// <summary>One batch on a link opened for it; how many the paging server answered (each reported to the server).</summary>
    private async Task<int> SendAsync(LineLink link, IPageSender sender, IReadOnlyList<PageToSend> pages, CancellationToken ct)
    {
        var answered = 0;
        await using (var channel = new LineChannel(await link.OpenAsync(ct), () => { }))
        {
            await sender.SendAsync(channel, pages, async page =>
            {
                answered++;
                metrics.PageOut(answered: true, page.Try);
                await desk.ReportSentAsync(page.Id, ct);
            }, ct);
        }
        foreach (var page in pages.Skip(answered))
        {
            metrics.PageOut(answered: false, page.Try);
        }
        return answered;
    }

    private static partial class Log
    {
        [LoggerMessage(4201, LogLevel.Information, "Paging ({Protocol}): {Link}")]
        public static partial void Starting(ILogger logger, string protocol, string link);

        [LoggerMessage(4202, LogLevel.Warning, "Paging: {Unanswered} of {Count} pages not answered by the paging server; the server hands them out again")]
        public static partial void Unanswered(ILogger logger, int unanswered, int count);

        [LoggerMessage(4203, LogLevel.Warning, "Paging: the paging server cannot be reached ({Reason}); its pages are handed out again (said once until it can)")]
        public static partial void LinkFailed(ILogger logger, string reason);

        [LoggerMessage(4204, LogLevel.Information, "Paging: the paging server is reached again")]
        public static partial void LinkBack(ILogger logger);

        [LoggerMessage(4205, LogLevel.Warning, "Paging: Dispatch's API cannot be reached ({Reason}); no pages are claimed (said once until it can)")]
        public static partial void ServerUnreachable(ILogger logger, string reason);

        [LoggerMessage(4206, LogLevel.Information, "Paging: Dispatch's API is reached again")]
        public static partial void ServerBack(ILogger logger);
    }
}
