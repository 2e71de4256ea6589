using System.Text;
using Dispatch.Lines;
using Dispatch.Lines.Espa;
using Dispatch.Lines.Tap;

namespace Dispatch.Server.Tests;

/// <summary>The framing and checksums of TAP 1.8 and ESPA 4.4.4, against vectors worked from the published texts.</summary>
public sealed class LineProtocolTests
{
    // TAP 1.8, "Checksum Calculation": the block <STX>123<CR>ABC<CR><ETX> sums to 379 (0x17B), sent as "17;".
    private static readonly byte[] s_tapExampleBlock = Encoding.ASCII.GetBytes("\u0002123\rABC\r\u0003");

    [Fact]
    public void TheTapChecksumOfTheSpecificationsExampleIs17Semicolon()
    {
        Encoding.ASCII.GetString(TapChecksum.Compute(s_tapExampleBlock)).Should().Be("17;");
    }

    [Fact]
    public void ATapPageIsFramedStxPagerIdCrMessageCrEtxChecksumCr()
    {
        TapBlock.Format("123", "ABC").Should().Equal([.. s_tapExampleBlock, .. "17;"u8.ToArray(), ControlCharacters.Cr]);
    }

    [Fact]
    public void ATapBlockIsReadOnlyWhenItsChecksumMatches()
    {
        var fields = TapBlock.Parse(s_tapExampleBlock, "17;"u8);
        fields!.Complete.Should().Equal("123", "ABC");
        fields.EndsTransaction.Should().BeTrue();

        TapBlock.Parse(s_tapExampleBlock, "17<"u8).Should().BeNull("one bit off in the checksum");
        TapBlock.Parse(Encoding.ASCII.GetBytes("\u0002123\rABD\r\u0003"), "17;"u8).Should().BeNull("one character changed in the block");
    }

    [Fact]
    public void ATapFieldLeftOpenBeforeUsIsCarriedToTheNextBlock()
    {
        var first = Encoding.ASCII.GetBytes("\u0002123\rAB\u001f");
        var fields = TapBlock.Parse(first, TapChecksum.Compute(first));
        fields!.Complete.Should().Equal("123");
        fields.Open.Should().Be("AB");
        fields.EndsTransaction.Should().BeFalse();
    }

    [Fact]
    public void TheTapChecksumCountsSevenBitValues()
    {
        // The top bit (parity on a 7E1 line) is not part of the sum.
        var withParity = s_tapExampleBlock.Select(b => (byte)(b | 0x80)).ToArray();
        Encoding.ASCII.GetString(TapChecksum.Compute(withParity)).Should().Be("17;");
    }

    [Fact]
    public void TheEspaBccIsTheExclusiveOrOfEveryCharacterAfterSohThroughEtx()
    {
        // By hand: '1' 0x31 ^ STX 0x02 = 0x33; ^ '1' 0x31 = 0x02; ^ US 0x1F = 0x1D; ^ '1' 0x31 = 0x2C;
        // ^ '2' 0x32 = 0x1E; ^ ETX 0x03 = 0x1D.
        var block = new EspaBlock('1', [new EspaRecord("1", "12")]).Format();

        block.Should().Equal(ControlCharacters.Soh, 0x31, ControlCharacters.Stx, 0x31, ControlCharacters.Us, 0x31, 0x32, ControlCharacters.Etx, 0x1D);
        block.Skip(1).Aggregate(0, (parity, b) => parity ^ b).Should().Be(0, "the block's longitudinal parity, BCC included, is even");
    }

    [Fact]
    public void AnEspaCallToPagerIsReadRecordByRecord()
    {
        // A published example of a call to pager (header 1): call address 550, message "CALL ME 101",
        // beep coding, call type, transmissions and priority 3. Its BCC (0x23) worked out apart from this code.
        var afterSoh = Encoding.ASCII.GetBytes("1\u00021\u001f550\u001e2\u001fCALL ME 101\u001e3\u001f3\u001e4\u001f3\u001e5\u001f3\u001e6\u001f3\u0003");

        var block = EspaBlock.Parse(afterSoh, 0x23);

        block!.Header.Should().Be(EspaBlock.CallToPager);
        block[EspaBlock.CallAddress].Should().Be("550");
        block[EspaBlock.DisplayMessage].Should().Be("CALL ME 101");
        block[EspaBlock.Priority].Should().Be("3");
        block.Format().Should().Equal([ControlCharacters.Soh, .. afterSoh, 0x23]);
    }

    [Fact]
    public void AnEspaBlockWithAWrongBccOrFramingIsNotRead()
    {
        var afterSoh = Encoding.ASCII.GetBytes("1\u00021\u001f12\u0003");
        EspaBlock.Parse(afterSoh, 0x1D).Should().NotBeNull();
        EspaBlock.Parse(afterSoh, 0x1C).Should().BeNull("the BCC is one bit off");
        EspaBlock.Parse(Encoding.ASCII.GetBytes("1\u00021\u001f13\u0003"), 0x1D).Should().BeNull("a character changed");
        EspaBlock.Parse(Encoding.ASCII.GetBytes("1\u001f12\u0003"), 0x1D ^ 0x02).Should().BeNull("no STX after the header");
    }
}
