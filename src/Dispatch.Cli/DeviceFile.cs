using System.Globalization;
using System.Text.RegularExpressions;

namespace Dispatch.Cli;

/// <summary>A bed device the swarm presses: its bed, ward and key.</summary>
internal sealed record BedDevice(int BedId, int WardId, string DeviceKey);

/// <summary>
/// Reads bed devices from an env file of BED_{id}_WARD / BED_{id}_KEY lines, as the demo seed
/// writes (.local/run/demo-credentials.env). Keys are secrets, so they come from a file, never
/// the command line.
/// </summary>
internal static partial class DeviceFile
{
    public static IReadOnlyList<BedDevice> Read(string path)
    {
        var wards = new Dictionary<int, int>();
        var keys = new Dictionary<int, string>();
        foreach (var line in File.ReadLines(path))
        {
            if (BedLine().Match(line) is not { Success: true } match)
            {
                continue;
            }
            var bedId = int.Parse(match.Groups["bed"].Value, CultureInfo.InvariantCulture);
            if (match.Groups["what"].Value == "WARD")
            {
                wards[bedId] = int.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
            else
            {
                keys[bedId] = match.Groups["value"].Value;
            }
        }
        var beds = keys.Where(k => wards.ContainsKey(k.Key)).Select(k => new BedDevice(k.Key, wards[k.Key], k.Value)).OrderBy(b => b.BedId).ToList();
        return beds.Count > 0 ? beds : throw new ArgumentException($"{path} lists no bed devices (BED_<id>_WARD and BED_<id>_KEY lines).");
    }

    [GeneratedRegex(@"^BED_(?<bed>\d+)_(?<what>WARD|KEY)=(?<value>\S+)$")]
    private static partial Regex BedLine();
}
