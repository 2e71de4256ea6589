using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using QRCoder;

namespace Dispatch.Cli;

/// <summary>A bed's bedside page set-up: its name, and the link that carries its bed and device key.</summary>
internal sealed record BedsideLink(int BedId, string Name, string Link);

/// <summary>
/// A printable page of set-up codes, one per bed: a patient tablet or bed panel opens its bedside
/// page by scanning its bed's QR code (or by the link printed under it), and keeps the bed and key
/// (docs/features.md). The keys come from the hospital import's secrets file; the sheet is a secret
/// as long as it exists.
/// </summary>
internal static partial class BedsideSheet
{
    /// <summary>
    /// The beds' links from a hospital import's secrets file (bed-key, bed id, name, key; tab
    /// separated) or the demo's credentials file (BED_id_KEY=key).
    /// </summary>
    public static IReadOnlyList<BedsideLink> Read(string path, Uri server)
    {
        var links = new List<BedsideLink>();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Split('\t') is ["bed-key", var id, var name, var key] && int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var bedId))
            {
                links.Add(new BedsideLink(bedId, name, Link(server, bedId, key)));
            }
            else if (DemoBedKey().Match(line) is { Success: true } demo)
            {
                bedId = int.Parse(demo.Groups["bed"].Value, CultureInfo.InvariantCulture);
                links.Add(new BedsideLink(bedId, $"Bed {bedId}", Link(server, bedId, demo.Groups["key"].Value)));
            }
        }
        return links.Count > 0
            ? [.. links.OrderBy(l => l.BedId)]
            : throw new ArgumentException($"{path} lists no bed keys (a hospital import's secrets file: bed-key lines; or BED_<id>_KEY= lines).");
    }

    /// <summary>The bedside page's set-up link: bed and key in the fragment, which a browser never sends to a server.</summary>
    public static string Link(Uri server, int bedId, string key) =>
        new Uri(server, "bedside.html").AbsoluteUri + $"#bed={bedId}&key={Uri.EscapeDataString(key)}";

    /// <summary>The QR code of <paramref name="text"/>: true is a dark module; a quiet zone of 4 modules included.</summary>
    public static bool[,] Modules(string text)
    {
        using var generator = new QRCodeGenerator();
        using var code = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var rows = code.ModuleMatrix;
        var modules = new bool[rows.Count, rows.Count];
        for (var y = 0; y < rows.Count; y++)
        {
            for (var x = 0; x < rows.Count; x++)
            {
                modules[y, x] = rows[y][x];
            }
        }
        return modules;
    }

    public static string Html(IReadOnlyList<BedsideLink> beds)
    {
        var html = new StringBuilder("""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>Dispatch: bedside set-up codes</title>
            <style>
              body { font-family: sans-serif; margin: 1.5rem; }
              .warning { border: 3px solid #b00020; padding: 0.75rem; font-weight: bold; }
              .beds { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: 1rem; margin-top: 1rem; }
              figure { border: 1px solid #555; margin: 0; padding: 0.75rem; break-inside: avoid; text-align: center; }
              figcaption { font-size: 1.25rem; font-weight: bold; margin-bottom: 0.5rem; }
              svg { width: 12rem; height: 12rem; }
              .link { font-family: monospace; font-size: 0.7rem; overflow-wrap: anywhere; text-align: start; }
            </style>
            </head>
            <body>
            <h1>Bedside set-up codes</h1>
            <p class="warning">Each code carries its bed's device key. Scan it with the bed's tablet or panel (its camera opens the
            bedside page, which keeps the bed and key), then destroy this sheet. A code seen by others: an administrator retires
            the bed's device (DELETE /api/devices/ID), registers a new one (POST /api/devices) and prints its code.</p>
            <div class="beds">

            """);
        foreach (var bed in beds)
        {
            html.Append(CultureInfo.InvariantCulture, $"""
                <figure>
                <figcaption>{WebUtility.HtmlEncode(bed.Name)}</figcaption>
                {Svg(Modules(bed.Link), bed.Name)}
                <p class="link">{WebUtility.HtmlEncode(bed.Link)}</p>
                </figure>

                """);
        }
        return html.Append("</div>\n</body>\n</html>\n").ToString();
    }

    /// <summary>One path on white: a rectangle for each run of dark modules in a row.</summary>
    private static string Svg(bool[,] modules, string name)
    {
        var size = modules.GetLength(0);
        var path = new StringBuilder();
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                if (modules[y, x])
                {
                    var run = 1;
                    while (x + run < size && modules[y, x + run])
                    {
                        run++;
                    }
                    path.Append(CultureInfo.InvariantCulture, $"M{x} {y}h{run}v1h-{run}z");
                    x += run - 1;
                }
            }
        }
        return $"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges" role="img" aria-label="Set-up code of {WebUtility.HtmlEncode(name)}"><rect width="{size}" height="{size}" fill="#fff"/><path d="{path}" fill="#000"/></svg>""";
    }

    [GeneratedRegex(@"^BED_(?<bed>\d+)_KEY=(?<key>\S+)$")]
    private static partial Regex DemoBedKey();
}
