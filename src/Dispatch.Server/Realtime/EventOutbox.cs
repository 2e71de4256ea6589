using System.Text.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Data;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The outbox: an event row appended in the transaction of the change it describes, numbered by
/// its ward's gap-free sequence. The ward_sequences row lock orders a ward's events by commit.
/// </summary>
public static class EventOutbox
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static async Task<long> AppendAsync(MySqlTransaction tx, string type, CallView call, CancellationToken ct)
    {
        var conn = tx.Connection!;
        var seq = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO ward_sequences (ward_id, last_seq) VALUES (@WardId, LAST_INSERT_ID(1))
            ON DUPLICATE KEY UPDATE last_seq = LAST_INSERT_ID(last_seq + 1);
            SELECT LAST_INSERT_ID();
            """, new { call.WardId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO events (ward_id, ward_seq, type, call_id, payload)
            VALUES (@WardId, @Seq, @Type, @CallId, @Payload)
            """, new { call.WardId, Seq = seq, Type = type, CallId = call.Id, Payload = JsonSerializer.Serialize(call, s_json) },
            tx, cancellationToken: ct));
        return seq;
    }

    public static async Task<IReadOnlyList<WardEvent>> ReadAfterAsync(
        MySqlConnection conn, int wardId, long afterSeq, int limit, CancellationToken ct)
    {
        var rows = await conn.QueryAsync<EventRow>(new CommandDefinition("""
            SELECT ward_id AS WardId, ward_seq AS Seq, type AS Type, call_id AS CallId, payload AS Payload, created_at AS CreatedAt
            FROM events WHERE ward_id = @WardId AND ward_seq > @AfterSeq
            ORDER BY ward_seq LIMIT @Limit
            """, new { WardId = wardId, AfterSeq = afterSeq, Limit = limit }, cancellationToken: ct));
        return rows.Select(r => r.ToEvent()).ToList();
    }

    private sealed record EventRow(int WardId, long Seq, string Type, long? CallId, string Payload, DateTime CreatedAt)
    {
        public WardEvent ToEvent() =>
            new(WardId, Seq, Type, CallId, JsonSerializer.Deserialize<CallView>(Payload, s_json), DbTime.ToOffset(CreatedAt));
    }
}
