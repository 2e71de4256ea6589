using Dapper;
using Dispatch.Server.Infrastructure;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>
/// Lines from the primary nurse-call system as supervised devices. Dispatch.Gateway reports a
/// line (its heartbeat) while it hears it; a line silent past Supervision:LineSilentSeconds, or
/// whose gateway has stopped, is reported once per silence (audit line_silent, the maintenance
/// view, the gauge dispatch_lines_silent) and line_back follows once it is heard again. Each
/// report is one transaction under the device row's lock, so exactly one node makes it.
/// </summary>
public sealed class LineSupervisor(MySqlDataSource dataSource)
{
    public sealed record LineRow(int DeviceId, string Name);

    /// <summary>Reports the line if it is still silent and not reported; null when there is nothing (left) to report.</summary>
    public Task<LineRow?> ReportSilentAsync(int deviceId, int silentSeconds, CancellationToken ct) =>
        ReportAsync(SupervisionQueries.LockSilentLine, new { DeviceId = deviceId, SilentSeconds = silentSeconds },
            SupervisionQueries.MarkTroubleReported, "line_silent", $"not heard for more than {silentSeconds} s", ct);

    /// <summary>Reports that the reported line is heard again; null when it was not reported or not heard since.</summary>
    public Task<LineRow?> ReportBackAsync(int deviceId, CancellationToken ct) =>
        ReportAsync(SupervisionQueries.LockReturnedLine, new { DeviceId = deviceId },
            SupervisionQueries.ClearTroubleReported, "line_back", "heard again", ct);

    /// <summary>Lines reported silent and not heard since.</summary>
    public async Task<double> CountSilentAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(SupervisionQueries.SilentLines, cancellationToken: ct));
    }

    private async Task<LineRow?> ReportAsync(string lockQuery, object lockArgs, string mark, string action, string detail, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var line = await conn.QuerySingleOrDefaultAsync<LineRow>(new CommandDefinition(lockQuery, lockArgs, tx, cancellationToken: ct));
        if (line is null)
        {
            await tx.RollbackAsync(ct);
            return null;
        }
        await conn.ExecuteAsync(new CommandDefinition(mark, new { line.DeviceId }, tx, cancellationToken: ct));
        await AuditLog.AppendAsync(tx, AuditLog.System, line.DeviceId, action, null, $"line '{line.Name}' {detail}", ct);
        await tx.CommitAsync(ct);
        return line;
    }
}
