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
    public static Task AppendAsync(MySqlTransaction tx, string type, CallView call, CancellationToken ct) =>
        AppendAsync(tx, call.WardId, type, call.Id, JsonSerializer.Serialize(call, OutboxReader.Json), ct);

    public static Task AppendAsync(MySqlTransaction tx, string type, StationView station, CancellationToken ct) =>
        AppendAsync(tx, station.WardId, type, callId: null, JsonSerializer.Serialize(station, OutboxReader.Json), ct);

    /// <summary>
    /// The ward's next number and the event, in one round trip: the event reads the number back
    /// from the sequence row this transaction has just locked and raised.
    /// </summary>
    private static async Task AppendAsync(MySqlTransaction tx, int wardId, string type, long? callId, string payload, CancellationToken ct) =>
        await tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO ward_sequences (ward_id, last_seq) VALUES (@WardId, 1)
            ON DUPLICATE KEY UPDATE last_seq = last_seq + 1;
            INSERT INTO events (ward_id, ward_seq, type, call_id, payload)
            SELECT ward_id, last_seq, @Type, @CallId, @Payload FROM ward_sequences WHERE ward_id = @WardId;
            """, new { WardId = wardId, Type = type, CallId = callId, Payload = payload }, tx, cancellationToken: ct));
}
