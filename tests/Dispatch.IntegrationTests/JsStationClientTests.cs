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
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var environment = new Dictionary<string, string>
        {
            ["DISPATCH_URL"] = fixture.BaseAddress.ToString(),
            ["DISPATCH_TOKEN"] = await fixture.LoginAsync(ward.Nurses[0]),
            ["DISPATCH_WARD"] = $"{ward.WardId}",
            ["DISPATCH_BED"] = $"{ward.Beds[0].BedId}",
            ["DISPATCH_DEVICE_KEY"] = ward.Beds[0].DeviceKey,
        };

        // The conformance scenarios (tests/conformance/scenarios.json), each with a ward of its own, as ConformanceTests gives the .NET client.
        var scenarios = new Dictionary<string, object>();
        foreach (var name in ConformanceScenarios.Load().Select(s => s.GetProperty("name").GetString()!))
        {
            var own = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
            var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
            scenarios[name] = new
            {
                ward = own.WardId,
                other = other.WardId,
                bed = own.Beds[0].BedId,
                deviceKey = own.Beds[0].DeviceKey,
                token = await fixture.LoginAsync(own.Nurses[0]),
                start = await fixture.Hospital().LastSequenceAsync(own.WardId),
            };
        }
        environment["DISPATCH_CONFORMANCE"] = JsonSerializer.Serialize(scenarios);

        var (exitCode, output) = await ExternalProcess.RunAsync("node", Path.Combine(Repository.Root, "web"), environment, "--test", "test/");

        exitCode.Should().Be(0, output);
        output.Should().Contain($"# pass {7 + scenarios.Count}").And.Contain("# skipped 0");
    }
}
