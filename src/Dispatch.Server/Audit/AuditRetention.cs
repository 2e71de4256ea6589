using Dapper;
using MySqlConnector;

namespace Dispatch.Server.Audit;

/// <summary>What a purge removed.</summary>
public sealed record PurgeResult(long Events, long Receipts, long Pages, long AuditRows);

/// <summary>
/// Removes events, display receipts, pages and audit rows older than the retention, never a row of a call
/// that is still open or was resolved within it (a call's timeline goes whole). Deletes in small batches, each its own statement, so that no raise
/// waits long behind a lock (docs/runbooks/audit-retention.md).
/// </summary>
public sealed class AuditRetention(MySqlDataSource dataSource)
{
    public async Task<PurgeResult> PurgeAsync(int olderThanDays, CancellationToken ct)
    {
        if (olderThanDays < RetentionOptions.ShortestDays)
        {
            throw new ArgumentOutOfRangeException(nameof(olderThanDays), olderThanDays,
                $"Rows younger than {RetentionOptions.ShortestDays} days are kept: the KPIs and the audit API read them.");
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var cutoff = await conn.ExecuteScalarAsync<DateTime>(new CommandDefinition(
            "SELECT NOW(3) - INTERVAL @Days DAY", new { Days = olderThanDays }, cancellationToken: ct));
        return new PurgeResult(
            await DeleteAllAsync(conn, AuditQueries.PurgeEvents, cutoff, ct),
            await DeleteAllAsync(conn, AuditQueries.PurgeReceipts, cutoff, ct),
            await DeleteAllAsync(conn, AuditQueries.PurgePages, cutoff, ct),
            await DeleteAllAsync(conn, AuditQueries.PurgeAuditRows, cutoff, ct));
    }

    private static async Task<long> DeleteAllAsync(MySqlConnection conn, string sql, DateTime cutoff, CancellationToken ct)
    {
        long total = 0;
        int deleted;
        do
        {
            deleted = await conn.ExecuteAsync(new CommandDefinition(sql, new { Cutoff = cutoff, Batch = AuditQueries.PurgeBatch }, cancellationToken: ct));
            total += deleted;
        }
        while (deleted == AuditQueries.PurgeBatch);
        return total;
    }
}
