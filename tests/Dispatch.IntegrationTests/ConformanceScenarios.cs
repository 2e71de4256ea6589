using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>The scenarios file, as both clients' runners read it.</summary>
internal static class ConformanceScenarios
{
    /// <summary>A scenario raises each call at a bed of its own (a bed has one open call per kind).</summary>
    public const int BedsPerScenario = 5;

    public static IReadOnlyList<JsonElement> Load()
    {
        using var file = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "tests", "conformance", "scenarios.json")));
        return [.. file.RootElement.GetProperty("scenarios").EnumerateArray().Select(s => s.Clone())];
    }
}
