using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Dapper;
using Dispatch.Server.Observability;
using MySqlConnector;

namespace Dispatch.Server.Supervision;

/// <summary>One station's receipt: it put the call on its screen at that moment. It counts only for a call of a ward its connection watches.</summary>
public sealed record DisplayReceipt(long CallId, long SessionId, int[] WardIds, DateTime DisplayedAt, string ConnectionId);

/// <summary>
/// Display receipts from the stations (hub method Displayed), queued in memory and written in
/// batches, one statement per batch: the number of database statements does not grow with the
/// number of stations. A receipt counts only for a call of a ward the connection has subscribed
/// to, so a connection that watches nothing, or another ward, cannot silence a call's alarm. The
/// queue is bounded per connection and per node, and a receipt already waiting is not queued
/// again: a flood from one connection is dropped and counted, and never queues more than two
/// batches ahead of another station's receipt.
/// </summary>
public sealed partial class DisplayReceipts(MySqlDataSource dataSource, DispatchMetrics metrics, TimeProvider time, ILogger<DisplayReceipts> logger)
    : BackgroundService
{
    private const int BatchSize = 500;

    /// <summary>A board shows a few dozen calls; a connection with this many receipts waiting is flooding.</summary>
    private const int PerConnection = 2 * BatchSize;

    private const int PerNode = 20_000;
    private static readonly TimeSpan s_gather = TimeSpan.FromMilliseconds(200);
    private readonly Channel<DisplayReceipt> _queue = Channel.CreateBounded<DisplayReceipt>(new BoundedChannelOptions(PerNode) { SingleReader = true });
    private readonly ConcurrentDictionary<string, int> _waitingPerConnection = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(long CallId, long SessionId), byte> _waiting = new();

    public void Record(string connectionId, long sessionId, IReadOnlySet<int> watchedWards, IReadOnlyCollection<long> callIds)
    {
        if (watchedWards.Count == 0)
        {
            metrics.ReceiptsDropped(ReceiptDropped.NotWatching, callIds.Count);
            return;
        }
        var wards = watchedWards.ToArray();
        var now = time.GetUtcNow().UtcDateTime;
        var (overConnection, overNode) = (0, 0);
        foreach (var callId in callIds)
        {
            if (!_waiting.TryAdd((callId, sessionId), 0))
            {
                continue;
            }
            if (_waitingPerConnection.AddOrUpdate(connectionId, 1, (_, n) => n + 1) > PerConnection)
            {
                Taken(connectionId, (callId, sessionId));
                overConnection++;
            }
            else if (!_queue.Writer.TryWrite(new DisplayReceipt(callId, sessionId, wards, now, connectionId)))
            {
                Taken(connectionId, (callId, sessionId));
                overNode++;
            }
        }
        if (overConnection > 0)
        {
            metrics.ReceiptsDropped(ReceiptDropped.ConnectionBound, overConnection);
        }
        if (overNode > 0)
        {
            metrics.ReceiptsDropped(ReceiptDropped.NodeBound, overNode);
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
                Taken(receipt.ConnectionId, (receipt.CallId, receipt.SessionId));
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

    /// <summary>A receipt left the waiting queue (written, or not queued after all).</summary>
    private void Taken(string connectionId, (long, long) key)
    {
        _waiting.TryRemove(key, out _);
        if (_waitingPerConnection.AddOrUpdate(connectionId, 0, (_, n) => n - 1) == 0)
        {
            _waitingPerConnection.TryRemove(KeyValuePair.Create(connectionId, 0));
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
               .Append(CultureInfo.InvariantCulture, $"SELECT id, @s{n}, @t{n} FROM calls WHERE id = @c{n} AND ward_id IN @w{n}\n");
            parameters.Add("c" + n, batch[i].CallId);
            parameters.Add("s" + n, batch[i].SessionId);
            parameters.Add("t" + n, batch[i].DisplayedAt);
            parameters.Add("w" + n, batch[i].WardIds);
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
