using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>The browser's station client (web/src/station-client.js), run by Node against the real server.</summary>
[Collection(DispatchCollection.Name)]
public sealed class JsStationClientTests(DispatchFixture fixture)
{
    [Fact]
    public async Task TheJavaScriptStationClientDeliversCallsOnceInOrderAndReplaysFromASavedSequence()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 4);
        var environment = new Dictionary<string, string>
        {
            ["DISPATCH_URL"] = fixture.BaseAddress.ToString(),
            ["DISPATCH_TOKEN"] = await fixture.LoginAsync(ward.Nurses[0]),
            ["DISPATCH_WARD"] = $"{ward.WardId}",
            // A bed per call: a bed has one open call per kind.
            ["DISPATCH_BEDS"] = JsonSerializer.Serialize(ward.Beds.Select(b => new { id = b.BedId, key = b.DeviceKey })),
        };

        // The conformance scenarios (tests/conformance/scenarios.json), each with a ward of its own, as ConformanceTests gives the .NET client.
        var scenarios = new Dictionary<string, object>();
        foreach (var name in ConformanceScenarios.Load().Select(s => s.GetProperty("name").GetString()!))
        {
            var own = await fixture.Hospital().WardAsync(nurses: 1, beds: ConformanceScenarios.BedsPerScenario);
            var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
            scenarios[name] = new
            {
                ward = own.WardId,
                other = other.WardId,
                beds = own.Beds.Select(b => new { id = b.BedId, key = b.DeviceKey }),
                token = await fixture.LoginAsync(own.Nurses[0]),
                start = await fixture.Hospital().LastSequenceAsync(own.WardId),
            };
        }
        environment["DISPATCH_CONFORMANCE"] = JsonSerializer.Serialize(scenarios);

        var (exitCode, output) = await ExternalProcess.RunAsync("node", Path.Combine(Repository.Root, "web"), environment, "--test", "test/");

        // Every test of web/test/ ran: each `test(` there, and one per conformance scenario (none skipped for want of the server).
        var unitTests = Directory.GetFiles(Path.Combine(Repository.Root, "web", "test"), "*.test.mjs")
            .Sum(file => File.ReadLines(file).Count(line => line.StartsWith("test(", StringComparison.Ordinal)));
        exitCode.Should().Be(0, output);
        unitTests.Should().BeGreaterThan(0);
        output.Should().Contain($"# pass {unitTests + scenarios.Count}").And.Contain("# skipped 0");
    }
}
