using System.Globalization;

namespace Dispatch.Testing;

/// <summary>Reads a node's /metrics (Prometheus text) as a test needs it.</summary>
public static class MetricsText
{
    /// <summary>The sum of the series whose line (name and labels) matches, as scraped now.</summary>
    public static async Task<double> SumAsync(HttpClient node, Func<string, bool> series) =>
        (await node.GetStringAsync("/metrics")).Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#') && series(line[..line.LastIndexOf(' ')]))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
}
