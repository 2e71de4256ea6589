using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Dapper;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>One station's receipt: it put the call on its screen at that moment.</summary>
public sealed record DisplayReceipt(long CallId, long SessionId, int? OnlyWardId, DateTime DisplayedAt);

/// <summary>
/// Display receipts from the stations (hub method Displayed), queued in memory and written in
/// batches, one statement per batch: the number of database statements does not grow with the
/// number of stations. A nurse's receipt counts only for calls of her own ward.
/// </summary>
public sealed partial class DisplayReceipts(MySqlDataSource dataSource, TimeProvider time, ILogger<DisplayReceipts> logger) : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan s_gather = TimeSpan.FromMilliseconds(200);
    private readonly Channel<DisplayReceipt> _queue = Channel.CreateUnbounded<DisplayReceipt>(new UnboundedChannelOptions { SingleReader = true });

    public void Record(StaffUser station, IEnumerable<long> callIds)
    {
        var onlyWard = station.Role == StaffUser.Nurse ? station.WardId : null;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var callId in callIds)
        {
            _queue.Writer.TryWrite(new DisplayReceipt(callId, station.SessionId, onlyWard, now));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<DisplayReceipt>(BatchSize);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            // Let a burst (a call shown on every station of a ward) gather into one statement.
            await Task.Delay(s_gather, time, stoppingToken);
            while (batch.Count < BatchSize && _queue.Reader.TryRead(out var receipt))
            {
                batch.Add(receipt);
            }
            try
            {
                await WriteAsync(batch, stoppingToken);
            }
            catch (Exception e) when (e is MySqlException or TimeoutException)
            {
                // Receipts are evidence, not state: losing a batch at worst raises an alarm that a screen did show.
                Log.WriteFailed(logger, batch.Count, e);
            }
            batch.Clear();
        }
    }

    private async Task WriteAsync(List<DisplayReceipt> batch, CancellationToken ct)
    {
        var sql = new StringBuilder("INSERT IGNORE INTO call_displays (call_id, session_id, displayed_at)\n");
        var parameters = new DynamicParameters();
        for (var i = 0; i < batch.Count; i++)
        {
            var n = i.ToString(CultureInfo.InvariantCulture);
            sql.Append(i == 0 ? "" : "UNION ALL\n")
               .Append(CultureInfo.InvariantCulture, $"SELECT id, @s{n}, @t{n} FROM calls WHERE id = @c{n} AND (@w{n} IS NULL OR ward_id = @w{n})\n");
            parameters.Add("c" + n, batch[i].CallId);
            parameters.Add("s" + n, batch[i].SessionId);
            parameters.Add("t" + n, batch[i].DisplayedAt);
            parameters.Add("w" + n, batch[i].OnlyWardId);
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(sql.ToString(), parameters, cancellationToken: ct));
    }

    private static partial class Log
    {
        [LoggerMessage(1810, LogLevel.Warning, "Could not write {Count} display receipts")]
        public static partial void WriteFailed(ILogger logger, int count, Exception exception);
    }
}
