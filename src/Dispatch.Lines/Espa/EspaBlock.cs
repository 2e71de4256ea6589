using System.Text;

namespace Dispatch.Lines.Espa;

/// <summary>
/// An ESPA 4.4.4 data block: SOH, a header character, STX, records separated by RS (each a data
/// identifier, US, its data), ETX, then the BCC: the exclusive OR of every character after SOH up
/// to and including ETX (the block's longitudinal parity, BCC included, is even).
/// </summary>
public sealed record EspaBlock(char Header, IReadOnlyList<EspaRecord> Records)
{
    /// <summary>Header '1': a call to a pager (the only one that carries a call).</summary>
    public const char CallToPager = '1';

    // Data identifiers of the records (ESPA 4.4.4, 4.3).
    public const string CallAddress = "1";
    public const string DisplayMessage = "2";
    public const string BeepCoding = "3";
    public const string CallType = "4";
    public const string NumberOfTransmissions = "5";
    public const string Priority = "6";

    public string? this[string identifier] => Records.FirstOrDefault(r => r.Identifier == identifier)?.Data;

    public byte[] Format()
    {
        var text = new StringBuilder().Append((char)ControlCharacters.Soh).Append(Header).Append((char)ControlCharacters.Stx)
            .AppendJoin((char)ControlCharacters.Rs, Records.Select(r => $"{r.Identifier}{(char)ControlCharacters.Us}{r.Data}"))
            .Append((char)ControlCharacters.Etx).ToString();
        var bytes = Encoding.Latin1.GetBytes(text);
        return [.. bytes, Bcc(bytes.AsSpan(1))];
    }

    /// <summary>The BCC of the characters after SOH through ETX.</summary>
    public static byte Bcc(ReadOnlySpan<byte> afterSohThroughEtx)
    {
        byte bcc = 0;
        foreach (var b in afterSohThroughEtx)
        {
            bcc ^= b;
        }
        return bcc;
    }

    /// <summary>
    /// The block whose characters after SOH through ETX are given, checked against the BCC that
    /// followed; null when the BCC does not match or the block is not header, STX, records, ETX.
    /// </summary>
    public static EspaBlock? Parse(ReadOnlySpan<byte> afterSohThroughEtx, byte bcc)
    {
        if (afterSohThroughEtx.Length < 3 || afterSohThroughEtx[1] != ControlCharacters.Stx || afterSohThroughEtx[^1] != ControlCharacters.Etx
            || Bcc(afterSohThroughEtx) != bcc)
        {
            return null;
        }
        var body = Encoding.Latin1.GetString(afterSohThroughEtx[2..^1]);
        var records = body.Length == 0
            ? []
            : body.Split((char)ControlCharacters.Rs).Select(record => record.Split((char)ControlCharacters.Us, 2)).Select(parts =>
                new EspaRecord(parts[0], parts.Length > 1 ? parts[1] : "")).ToList();
        return new EspaBlock((char)afterSohThroughEtx[0], records);
    }
}

/// <summary>One record: its data identifier ('1' call address, '2' display message …) and its data.</summary>
public sealed record EspaRecord(string Identifier, string Data);
