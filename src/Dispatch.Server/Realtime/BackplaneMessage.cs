using System.Text;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.Server.Realtime;

/// <summary>Whom a backplane message is for, on every node.</summary>
public enum BackplaneTarget : byte
{
    All,
    Groups,
    Users,
    Connections,
}

/// <summary>
/// A hub send crossing the nodes (<see cref="NodeBackplane{THub}"/>): whom it is for, whom to leave
/// out, and the invocation already serialized in each hub protocol, so a node writes bytes to its
/// connections without serializing again.
/// </summary>
public sealed record BackplaneMessage(BackplaneTarget Target, IReadOnlyList<string> Names, IReadOnlyList<string> Excluded, IReadOnlyList<SerializedMessage> Serialized)
{
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write((byte)Target);
            WriteNames(writer, Names);
            WriteNames(writer, Excluded);
            writer.Write(Serialized.Count);
            foreach (var message in Serialized)
            {
                writer.Write(message.ProtocolName);
                writer.Write(message.Serialized.Length);
                writer.Write(message.Serialized.Span);
            }
        }
        return stream.ToArray();
    }

    public static BackplaneMessage FromBytes(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
        var target = (BackplaneTarget)reader.ReadByte();
        var names = ReadNames(reader);
        var excluded = ReadNames(reader);
        var serialized = new SerializedMessage[reader.ReadInt32()];
        for (var i = 0; i < serialized.Length; i++)
        {
            var protocol = reader.ReadString();
            serialized[i] = new SerializedMessage(protocol, reader.ReadBytes(reader.ReadInt32()));
        }
        return new BackplaneMessage(target, names, excluded, serialized);
    }

    private static void WriteNames(BinaryWriter writer, IReadOnlyList<string> names)
    {
        writer.Write(names.Count);
        foreach (var name in names)
        {
            writer.Write(name);
        }
    }

    private static string[] ReadNames(BinaryReader reader)
    {
        var names = new string[reader.ReadInt32()];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.ReadString();
        }
        return names;
    }
}
