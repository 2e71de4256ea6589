using System.Net;
using System.Text.Json;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class HealthTests(DispatchFixture fixture)
{
    [Fact]
    public async Task HealthzReportsTheDatabaseAndMemoryInTheDocumentedShape()
    {
        var response = await fixture.Http.GetAsync("/healthz");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["status", "db_ok", "memory_pct", "ts"]);
        root.GetProperty("status").GetString().Should().Be("ok");
        root.GetProperty("db_ok").GetBoolean().Should().BeTrue();
        root.GetProperty("memory_pct").GetDouble().Should().BeInRange(0.001, 100);
        root.GetProperty("ts").GetDateTimeOffset().Should().BeCloseTo(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task WsHealthCountsLiveHubConnections()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        // A full collection (the benchmark's heap measure), so the node has certainly paused for one.
        (await fixture.SendAsync(HttpMethod.Post, "/api/node/heap", admin)).EnsureSuccessStatusCode();

        using var body = JsonDocument.Parse(await fixture.Http.GetStringAsync("/ws-health"));

        var root = body.RootElement;
        root.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["connections", "pending_msgs", "memory_mb", "uptime_s", "gc_pause_ms"]);
        root.GetProperty("connections").GetInt64().Should().BeGreaterThanOrEqualTo(1);
        root.GetProperty("pending_msgs").GetInt64().Should().BeGreaterThanOrEqualTo(0);
        root.GetProperty("memory_mb").GetDouble().Should().BeGreaterThan(1);
        root.GetProperty("uptime_s").GetInt64().Should().BeGreaterThanOrEqualTo(0);
        root.GetProperty("gc_pause_ms").GetDouble().Should().BeGreaterThan(0, "the collection's pause counts");
    }
}
