using System.Text.RegularExpressions;
using Dispatch.Testing;
using Microsoft.Playwright;

namespace Dispatch.Browser.Tests;

/// <summary>The board behind nginx while the node it is connected to dies (a cluster of its own).</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ClusterBoardTests(ChromiumFixture chromium)
{
    [Fact]
    public async Task WhenItsNodeDiesTheBoardShowsItReconnectedThroughNginxAndACallRaisedMeanwhileAppearsOnce()
    {
        await using var cluster = await LocalCluster.StartAsync(countedUser: false);
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: 2);
        var desk = await cluster.Hospital().StationAsync(ward.WardId, "Desk A");
        await using var station = await StationPage.SignInAsync(chromium.Browser, cluster.Nginx.BaseAddress, ward.Nurses[0], stationKey: desk.Key);
        var (itsNode, otherNode) = await cluster.NodeA.HubConnectionsAsync() == 1 ? (cluster.NodeA, cluster.NodeB) : (cluster.NodeB, cluster.NodeA);
        (await itsNode.HubConnectionsAsync()).Should().Be(1, "the page holds one hub connection");

        itsNode.Kill();
        var duringOutage = await otherNode.RaiseCallAsync(ward.Beds[0]);

        await Assertions.Expect(station.Page.Locator(".connection.connected")).ToHaveTextAsync(ReconnectedBanner(), new() { Timeout = 15_000 });
        await Assertions.Expect(station.Call(duringOutage.Id)).ToHaveCountAsync(1, new() { Timeout = 5_000 });
        var afterwards = await otherNode.RaiseCallAsync(ward.Beds[1]);
        await Assertions.Expect(station.Call(afterwards.Id)).ToHaveCountAsync(1, new() { Timeout = 2_000 });
        await Assertions.Expect(station.Calls).ToHaveCountAsync(2);
        (await otherNode.HubConnectionsAsync()).Should().Be(1, "the page moved to the surviving node");

        // The reconnect may beat any clock read after the kill, so forget the screen and watch the
        // surviving node's next heartbeat (every 5 s) stamp it: it does only for a screen identified on it.
        await cluster.Hospital().ForgetStationSeenAsync(desk.DeviceId);
        var deadline = DateTime.UtcNow.AddSeconds(12);
        while (await cluster.Hospital().StationLastSeenAsync(desk.DeviceId) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        (await cluster.Hospital().StationLastSeenAsync(desk.DeviceId)).Should().NotBeNull(
            "the screen identified itself again on the surviving node, which vouches for it now");
    }


    [GeneratedRegex("^Connected · reconnected at ")]
    private static partial Regex ReconnectedBanner();
}
