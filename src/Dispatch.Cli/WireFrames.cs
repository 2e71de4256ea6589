using System.Text;
using System.Text.Json;
using Dispatch.Contracts;

namespace Dispatch.Cli;

/// <summary>
/// What the swarm needs from one SignalR JSON record: its kind; whether it is a <c>WardEvent</c>,
/// with the event's sequence and, for <c>call_raised</c>, its call; a completion's invocation id,
/// its result's sequence and its error.
/// </summary>
internal readonly record struct WireFrame(int Kind, bool WardEvent, string? InvocationId, long Seq, long? RaisedCallId, string? Error)
{
    // SignalR JSON protocol message types (docs/protocol.md; the ASP.NET Core hub protocol).
    public const int Invocation = 1;
    public const int Completion = 3;
    public const int Ping = 6;
    public const int Close = 7;
}

/// <summary>
/// Reads SignalR JSON records (each ended by 0x1E) without building a document or a string per
/// push, and a ward event only as far as its call: the swarm's stations read every push of a
/// 5,000-station run, so the generator must cost less than the server it measures.
/// </summary>
internal static class WireFrames
{
    public const byte RecordSeparator = 0x1E;
    private static readonly byte[] s_wardEvent = Encoding.UTF8.GetBytes(nameof(IDispatchClient.WardEvent));
    private static readonly byte[] s_callRaised = Encoding.UTF8.GetBytes(EventTypes.CallRaised);

    /// <summary>
    /// Reads the kind of <paramref name="record"/>; for a <c>WardEvent</c> invocation, its event's
    /// seq, type and callId, and no further (SignalR writes the type and target before the
    /// arguments); for a completion, its invocation id, its result's seq and its error.
    /// </summary>
    public static WireFrame Read(ReadOnlySpan<byte> record)
    {
        var reader = new Utf8JsonReader(record);
        int kind = 0;
        var wardEvent = false;
        string? invocationId = null, error = null;
        long seq = 0;
        long? raisedCallId = null;
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
                wardEvent = reader.ValueTextEquals(s_wardEvent);
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
                    var eventOnly = kind == WireFrame.Invocation && wardEvent;
                    (seq, raisedCallId) = ReadEvent(ref reader, stopAtCall: eventOnly);
                    if (eventOnly)
                    {
                        break;
                    }
                }
                SkipToEndOfArray(ref reader);
            }
            else if (name.SequenceEqual("result"u8) && reader.TokenType == JsonTokenType.StartObject)
            {
                (seq, _) = ReadEvent(ref reader, stopAtCall: false);
            }
            else
            {
                reader.Skip();
            }
        }
        return new WireFrame(kind, wardEvent, invocationId, seq, raisedCallId, error);
    }

    /// <summary>
    /// Reads seq, type and callId from the object the reader is at, leaving it at the object's end,
    /// or, with <paramref name="stopAtCall"/>, as soon as all three are read (the rest of the
    /// record unread); the call id is returned for a <c>call_raised</c> event only.
    /// </summary>
    private static (long Seq, long? RaisedCallId) ReadEvent(ref Utf8JsonReader reader, bool stopAtCall)
    {
        long seq = 0;
        bool? raised = null;
        long? callId = null;
        var haveSeq = false;
        var haveCall = false;
        while (!(stopAtCall && haveSeq && raised is not null && haveCall) && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            if (name.SequenceEqual("seq"u8))
            {
                seq = reader.GetInt64();
                haveSeq = true;
            }
            else if (name.SequenceEqual("type"u8))
            {
                raised = reader.ValueTextEquals(s_callRaised);
            }
            else if (name.SequenceEqual("callId"u8))
            {
                callId = reader.TokenType == JsonTokenType.Number ? reader.GetInt64() : null;
                haveCall = true;
            }
            else
            {
                reader.Skip();
            }
        }
        return (seq, raised == true ? callId : null);
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
