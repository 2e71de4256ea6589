namespace Dispatch.Cli;

/// <summary>"--name value" pairs, with secrets read from the environment rather than the command line.</summary>
internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected '--name value', got '{args[i]}'.");
            }
            values[args[i][2..]] = args[i + 1];
        }
        return new Arguments(values);
    }

    public string Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required.");

    public int RequiredInt(string name) =>
        int.TryParse(Required(name), System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"--{name} must be a number.");

    public string Optional(string name, string fallback) => values.GetValueOrDefault(name, fallback);

    public int Int(string name, int fallback) => values.ContainsKey(name) ? RequiredInt(name) : fallback;

    public double Number(string name, double fallback) =>
        !values.TryGetValue(name, out var text) ? fallback
        : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 0 ? value
        : throw new ArgumentException($"--{name} must be a number, 0 or more.");

    public double? OptionalNumber(string name) => values.ContainsKey(name) ? Number(name, 0) : null;

    public Uri Server => new(values.GetValueOrDefault("server", "http://127.0.0.1:5080"));

    public static string Secret(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"Set {variable} in the environment (secrets stay off the command line).");
}
