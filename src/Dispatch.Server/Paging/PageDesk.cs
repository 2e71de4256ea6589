using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Dispatch.Server.Calls;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Paging;

/// <summary>
/// Where Dispatch.Gateway takes the pages to send and reports them answered. A claim hands out
/// the due pages (their try counted, their next try moved Paging:RetrySeconds on) under row locks
/// that another gateway skips; a page not reported answered by then is handed out again, so a
/// gateway killed mid-page sends it once more after its restart, never twice at once. A page of a
/// call acknowledged or cleared meanwhile is no longer handed out (and marked stopped by the
/// lead); one unanswered after Paging:Tries tries is failed: audit page_failed and the ward's
/// event page_failed. An idle claim is one indexed read.
/// </summary>
public sealed class PageDesk(MySqlDataSource dataSource, Transactions transactions, KeyGuesses guesses, IOptions<PagingOptions> options)
{
    private const int ClaimLimit = 20;

    // Tries is the TINYINT column.
    private sealed record PageRow(long Id, long CallId, int StaffId, string Pager, sbyte Tries);

    private sealed record DueRow(long Id, string Pager, string Text, sbyte Tries);

    public Task<IReadOnlyList<PageToSend>> ClaimAsync(string? lineKey, CancellationToken ct) =>
        transactions.RunAsync<IReadOnlyList<PageToSend>>(async (tx, token) =>
        {
            await LineAsync(tx, lineKey, token);
            var conn = tx.Connection!;
            var due = (await conn.QueryAsync<DueRow>(new CommandDefinition(
                PageQueries.LockDue, new { options.Value.Tries, Limit = ClaimLimit }, tx, cancellationToken: token)))
                .Select(p => new PageToSend(p.Id, p.Pager, p.Text, p.Tries + 1)).ToList();
            if (due.Count > 0)
            {
                await conn.ExecuteAsync(new CommandDefinition(
                    PageQueries.Claim, new { Ids = due.Select(p => p.Id), options.Value.RetrySeconds }, tx, cancellationToken: token));
            }
            return due;
        }, ct);

    /// <summary>The paging server answered the page: it is sent (audited on the call's timeline). Reported again, nothing happens.</summary>
    public Task ReportSentAsync(string? lineKey, long pageId, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var lineId = await LineAsync(tx, lineKey, token);
            var page = await tx.Connection!.QuerySingleOrDefaultAsync<PageRow>(new CommandDefinition(
                PageQueries.LockPending, new { PageId = pageId }, tx, cancellationToken: token));
            if (page is null)
            {
                return;
            }
            await tx.Connection!.ExecuteAsync(new CommandDefinition(PageQueries.MarkSent, new { PageId = pageId }, tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Device, lineId, "page_sent", page.CallId,
                $"to staff {page.StaffId} (pager {page.Pager}), try {page.Tries}", token);
        }, ct);

    /// <summary>Marks stopped the pending pages of calls acknowledged or cleared (no longer handed out since); how many.</summary>
    public Task<int> StopAnsweredAsync(CancellationToken ct) =>
        transactions.RunAsync((tx, token) => tx.Connection!.ExecuteAsync(new CommandDefinition(
            PageQueries.StopAnswered, transaction: tx, cancellationToken: token)), ct);

    /// <summary>Pages that have used their tries, each to be failed once.</summary>
    public async Task<IReadOnlyList<long>> ExhaustedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return [.. await conn.QueryAsync<long>(new CommandDefinition(PageQueries.Exhausted, new { options.Value.Tries }, cancellationToken: ct))];
    }

    /// <summary>The page is failed and its ward told; null when it was answered, stopped or failed meanwhile.</summary>
    public Task<CallView?> FailAsync(long pageId, CancellationToken ct) =>
        transactions.RunAsync(async (tx, token) =>
        {
            var page = await tx.Connection!.QuerySingleOrDefaultAsync<PageRow>(new CommandDefinition(
                PageQueries.LockExhausted, new { PageId = pageId, options.Value.Tries }, tx, cancellationToken: token));
            if (page is null)
            {
                return null;
            }
            await tx.Connection!.ExecuteAsync(new CommandDefinition(PageQueries.MarkFailed, new { PageId = pageId }, tx, cancellationToken: token));
            var call = await CallRecords.ReadViewAsync(tx, page.CallId, token);
            await OutboxWriter.AppendAsync(tx, EventTypes.PageFailed, call, token);
            await AuditLog.AppendAsync(tx, AuditLog.System, null, EventTypes.PageFailed, page.CallId,
                $"to staff {page.StaffId} (pager {page.Pager}): no answer from the paging server after {page.Tries} tries", token);
            return (CallView?)call;
        }, ct);

    private async Task<int> LineAsync(MySqlTransaction tx, string? lineKey, CancellationToken ct) =>
        await tx.Connection!.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            PageQueries.FindLine, new { KeyHash = Secrets.Hash(lineKey ?? "") }, tx, cancellationToken: ct))
        ?? throw await guesses.RefuseAsync("The line key is not known.", ct);
}
