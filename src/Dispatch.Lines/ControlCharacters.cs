namespace Dispatch.Lines;

/// <summary>The ASCII control characters both protocols are framed with (ISO 646 / ISO 1745 names).</summary>
public static class ControlCharacters
{
    public const byte Soh = 0x01;
    public const byte Stx = 0x02;
    public const byte Etx = 0x03;
    public const byte Eot = 0x04;
    public const byte Enq = 0x05;
    public const byte Ack = 0x06;
    public const byte Lf = 0x0A;
    public const byte Cr = 0x0D;
    public const byte Nak = 0x15;
    public const byte Etb = 0x17;
    public const byte Esc = 0x1B;
    public const byte Rs = 0x1E;
    public const byte Us = 0x1F;
}
