using System.Text.Json;

namespace Dispatch.Cli;

/// <summary>What the swarm needs from one SignalR JSON record: its kind and, for a ward event, its ward, sequence, type and call.</summary>
internal readonly record struct WireFrame(int Kind, string? Target, string? InvocationId, long Seq, string? EventType, long? CallId, string? Error)
{
    // SignalR JSON protocol message types (docs/protocol.md; the ASP.NET Core hub protocol).
    public const int Invocation = 1;
    public const int Completion = 3;
    public const int Ping = 6;
    public const int Close = 7;
}

/// <summary>
/// Reads SignalR JSON records (each ended by 0x1E) without building a document: the swarm's
/// stations read every push of a 5,000-station run, so the generator must cost less than the
/// server it measures.
/// </summary>
internal static class WireFrames
{
    public const byte RecordSeparator = 0x1E;

    /// <summary>
    /// Reads the kind of <paramref name="record"/>; for a <c>WardEvent</c> invocation, its event's
    /// seq, type and callId; for a completion, its invocation id, its result's seq and its error.
    /// </summary>
    public static WireFrame Read(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        int kind = 0;
        string? target = null, invocationId = null, eventType = null, error = null;
        long seq = 0;
        long? callId = null;
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("type"u8))
            {
                kind = reader.GetInt32();
            }
            else if (name.SequenceEqual("target"u8))
            {
                target = reader.GetString();
            }
            else if (name.SequenceEqual("invocationId"u8))
            {
                invocationId = reader.GetString();
            }
            else if (name.SequenceEqual("error"u8))
            {
                error = reader.GetString();
            }
            else if (name.SequenceEqual("arguments"u8) && reader.TokenType == JsonTokenType.StartArray)
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    (seq, eventType, callId) = ReadEvent(ref reader);
                }
                SkipToEndOfArray(ref reader);
            }
            else if (name.SequenceEqual("result"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                (seq, _, _) = ReadEvent(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
        return new WireFrame(kind, target, invocationId, seq, eventType, callId, error);
    }

    /// <summary>Reads seq, type and callId from the object the reader is at, leaving it at the object's end.</summary>
    private static (long Seq, string? Type, long? CallId) ReadEvent(ref Utf8JsonReader reader)
    {
        long seq = 0;
        string? type = null;
        long? callId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("seq"u8))
            {
                seq = reader.GetInt64();
            }
            else if (name.SequenceEqual("type"u8))
            {
                type = reader.GetString();
            }
            else if (name.SequenceEqual("callId"u8) && reader.TokenType == JsonTokenType.Number)
            {
                callId = reader.GetInt64();
            }
            else
            {
                reader.Skip();
            }
        }
        return (seq, type, callId);
    }

    private static void SkipToEndOfArray(ref Utf8JsonReader reader)
    {
        while (reader.TokenType != JsonTokenType.EndArray)
        {
            reader.Skip();
            reader.Read();
        }
    }
}
