using System.Globalization;
using System.Text.RegularExpressions;
using Dispatch.Cli;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Dispatch.Server.Tests;

/// <summary>The bedside set-up sheet: each bed's QR code, read back by a QR reader, is its set-up link.</summary>
public sealed class BedsideSheetTests
{
    [Fact]
    public void EachBedsCodeReadsBackAsItsSetUpLinkFromAnImportsSecretsFile()
    {
        var secrets = Path.GetTempFileName();
        File.WriteAllLines(secrets,
        [
            "# Dispatch hospital import: the secrets of what it added.",
            "password\t7\ta.rahman\tnot-a-bed",
            "bed-key\t12\tEmergency / E01 / A\tk3y_with-url+chars/=",
            "bed-key\t13\tEmergency / E01 / B\tsecond-key",
            "station-key\t2\tEmergency / Emergency desk\tnot-a-bed-either",
        ]);
        try
        {
            var beds = BedsideSheet.Read(secrets, new Uri("https://dispatch.example.org/"));

            beds.Select(b => (b.BedId, b.Name)).Should().Equal([(12, "Emergency / E01 / A"), (13, "Emergency / E01 / B")]);
            beds[0].Link.Should().Be("https://dispatch.example.org/bedside.html#bed=12&key=k3y_with-url%2Bchars%2F%3D");
            foreach (var bed in beds)
            {
                Decode(BedsideSheet.Modules(bed.Link)).Should().Be(bed.Link);
            }
            var html = BedsideSheet.Html(beds);
            html.Should().Contain("Emergency / E01 / A").And.Contain("bed=13&amp;key=second-key").And.NotContain("not-a-bed");
            // What is printed is the code: the first drawing, read back, is the first bed's link.
            Decode(Drawn(html)).Should().Be(beds[0].Link);
        }
        finally
        {
            File.Delete(secrets);
        }
    }

    [Fact]
    public void AFileWithoutBedKeysIsAClearError()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var read = () => BedsideSheet.Read(empty, new Uri("http://127.0.0.1:5080/"));
            read.Should().Throw<ArgumentException>().WithMessage("*lists no bed keys*");
        }
        finally
        {
            File.Delete(empty);
        }
    }

    /// <summary>The modules the page's first SVG draws (a rectangle per run of dark modules).</summary>
    private static bool[,] Drawn(string html)
    {
        var size = int.Parse(Regex.Match(html, @"viewBox=""0 0 (\d+) ").Groups[1].Value, CultureInfo.InvariantCulture);
        var modules = new bool[size, size];
        var path = Regex.Match(html, @"<path d=""([^""]+)""").Groups[1].Value;
        foreach (Match run in Regex.Matches(path, @"M(\d+) (\d+)h(\d+)v1h-\d+z"))
        {
            var (x, y, length) = (int.Parse(run.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(run.Groups[2].Value, CultureInfo.InvariantCulture), int.Parse(run.Groups[3].Value, CultureInfo.InvariantCulture));
            for (var i = 0; i < length; i++)
            {
                modules[y, x + i] = true;
            }
        }
        return modules;
    }

    /// <summary>Draws the modules 4 pixels each, black on white, and reads them as a camera's picture would be read.</summary>
    private static string Decode(bool[,] modules)
    {
        const int Scale = 4;
        var size = modules.GetLength(0) * Scale;
        var pixels = new byte[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                pixels[(y * size) + x] = modules[y / Scale, x / Scale] ? (byte)0 : (byte)255;
            }
        }
        var picture = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(pixels, size, size, RGBLuminanceSource.BitmapFormat.Gray8)));
        return new QRCodeReader().decode(picture).Text;
    }
}
