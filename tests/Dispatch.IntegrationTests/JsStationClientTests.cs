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

        var (exitCode, output) = await ExternalProcess.RunAsync("node", Path.Combine(Repository.Root, "web"), environment, "--test", "test/");

        exitCode.Should().Be(0, output);
        output.Should().Contain("# pass 7").And.Contain("# skipped 0");
    }
}
