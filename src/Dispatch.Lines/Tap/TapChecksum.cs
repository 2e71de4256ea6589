namespace Dispatch.Lines.Tap;

/// <summary>
/// The TAP block checksum (TAP 1.8, "Checksum Calculation"): the arithmetic sum of the 7-bit
/// values of every character from STX through ETX (or ETB, US) inclusive, its low 12 bits sent as
/// three printable characters, most significant nibble first, each nibble plus 0x30.
/// </summary>
public static class TapChecksum
{
    public static byte[] Compute(ReadOnlySpan<byte> stxThroughEnd)
    {
        var sum = 0;
        foreach (var b in stxThroughEnd)
        {
            sum += b & 0x7F;
        }
        return [(byte)(0x30 + ((sum >> 8) & 0xF)), (byte)(0x30 + ((sum >> 4) & 0xF)), (byte)(0x30 + (sum & 0xF))];
    }

    public static bool Matches(ReadOnlySpan<byte> stxThroughEnd, ReadOnlySpan<byte> checksum) =>
        checksum.Length == 3 && checksum.SequenceEqual(Compute(stxThroughEnd));
}
