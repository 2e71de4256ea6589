using System.Text.Json;
using Dapper;
using Dispatch.Contracts;
using MySqlConnector;

namespace Dispatch.Outbox;

/// <summary>
/// Writes the outbox: an event row appended in the transaction of the change it describes, numbered by
/// its ward's gap-free sequence. The ward_sequences row lock orders a ward's events by commit.
/// </summary>
public static class OutboxWriter
{
    public static Task<long> AppendAsync(MySqlTransaction tx, string type, CallView call, CancellationToken ct) =>
        AppendAsync(tx, call.WardId, type, call.Id, JsonSerializer.Serialize(call, OutboxReader.Json), ct);

    public static Task<long> AppendAsync(MySqlTransaction tx, string type, StationView station, CancellationToken ct) =>
        AppendAsync(tx, station.WardId, type, callId: null, JsonSerializer.Serialize(station, OutboxReader.Json), ct);

    private static async Task<long> AppendAsync(MySqlTransaction tx, int wardId, string type, long? callId, string payload, CancellationToken ct)
    {
        var conn = tx.Connection!;
        var seq = await conn.ExecuteScalarAsync<long>(new CommandDefinition("""
            INSERT INTO ward_sequences (ward_id, last_seq) VALUES (@WardId, LAST_INSERT_ID(1))
            ON DUPLICATE KEY UPDATE last_seq = LAST_INSERT_ID(last_seq + 1);
            SELECT LAST_INSERT_ID();
            """, new { WardId = wardId }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO events (ward_id, ward_seq, type, call_id, payload)
            VALUES (@WardId, @Seq, @Type, @CallId, @Payload)
            """, new { WardId = wardId, Seq = seq, Type = type, CallId = callId, Payload = payload }, tx, cancellationToken: ct));
        return seq;
    }
}
