using System.Text;

namespace Dispatch.Lines.Tap;

/// <summary>
/// A TAP block: STX, fields each ended by CR, then ETX (the transaction's last block), ETB (more
/// blocks follow) or US (the last field goes on in the next block), the checksum, CR. A page is
/// one transaction of two fields: the pager id and the message.
/// </summary>
public static class TapBlock
{
    /// <summary>At most 256 characters from STX through the checksum's CR (TAP 1.8).</summary>
    public const int MaxLength = 256;

    /// <summary>A page as one block; the message is cut to fit a block.</summary>
    public static byte[] Format(string pagerId, string message)
    {
        var printable = new string([.. message.Where(c => c is >= ' ' and <= '~')]);
        var room = MaxLength - pagerId.Length - 8;
        var body = Encoding.ASCII.GetBytes($"\u0002{pagerId}\r{(printable.Length > room ? printable[..room] : printable)}\r\u0003");
        return [.. body, .. TapChecksum.Compute(body), ControlCharacters.Cr];
    }

    /// <summary>
    /// The fields of a block whose bytes run from STX through its end character (ETX, ETB or US),
    /// checked against the checksum that followed: null when the checksum does not match.
    /// </summary>
    public static TapFields? Parse(ReadOnlySpan<byte> stxThroughEnd, ReadOnlySpan<byte> checksum)
    {
        if (stxThroughEnd.Length < 2 || stxThroughEnd[0] != ControlCharacters.Stx || !TapChecksum.Matches(stxThroughEnd, checksum))
        {
            return null;
        }
        var end = stxThroughEnd[^1];
        var text = Encoding.ASCII.GetString(stxThroughEnd[1..^1]);
        var fields = text.Split('\r');
        // "a\rb\r" splits into a, b and an empty tail: the tail is an unfinished field only before US.
        return new TapFields([.. fields[..^1]], fields[^1], end);
    }
}

/// <summary>
/// What one block carried: the fields it ended (each closed by CR), the text of a field it left
/// open (before US), and how it ended: ETX (the transaction is complete), ETB or US (more follows).
/// </summary>
public sealed record TapFields(IReadOnlyList<string> Complete, string Open, byte End)
{
    public bool EndsTransaction => End == ControlCharacters.Etx;
}
