using System.Text.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Outbox;
using MySqlConnector;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The outbox: an event row appended in the transaction of the change it describes, numbered by
/// its ward's gap-free sequence. The ward_sequences row lock orders a ward's events by commit.
/// </summary>
public static class EventOutbox
{
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
            """, new { call.WardId, Seq = seq, Type = type, CallId = call.Id, Payload = JsonSerializer.Serialize(call, OutboxReader.Json) },
            tx, cancellationToken: ct));
        return seq;
    }
}
