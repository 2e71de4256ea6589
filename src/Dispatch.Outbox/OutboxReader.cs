using System.Text.Json;
using Dapper;
using Dispatch.Contracts;
using MySqlConnector;

namespace Dispatch.Outbox;

/// <summary>A ward's latest sequence number.</summary>
public readonly record struct WardPosition(int WardId, long LastSeq);

/// <summary>
/// Reads the events outbox. A ward's sequence is gap-free and commit-ordered, so readers keep one
/// cursor per ward and read "after sequence N", never by the global id.
/// </summary>
public static class OutboxReader
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<IReadOnlyList<WardPosition>> WardPositionsAsync(MySqlConnection conn, CancellationToken ct) =>
        (await conn.QueryAsync<WardPosition>(new CommandDefinition(
            "SELECT ward_id AS WardId, last_seq AS LastSeq FROM ward_sequences", cancellationToken: ct))).ToList();

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
        public WardEvent ToEvent()
        {
            // created_at is UTC (the database runs with time zone +00:00).
            var at = new DateTimeOffset(DateTime.SpecifyKind(CreatedAt, DateTimeKind.Utc));
            return EventTypes.IsStationEvent(Type)
                ? new(WardId, Seq, Type, CallId, Call: null, at, JsonSerializer.Deserialize<StationView>(Payload, Json))
                : new(WardId, Seq, Type, CallId, JsonSerializer.Deserialize<CallView>(Payload, Json), at);
        }
    }
}
