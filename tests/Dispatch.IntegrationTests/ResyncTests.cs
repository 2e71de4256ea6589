using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class ResyncTests(DispatchFixture fixture)
{
    [Fact]
    public async Task AStationThatWasAwayGetsEveryMissedEventInOrderByResyncAndByHttp()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 3);
        var token = await fixture.LoginAsync(ward.Nurses[0]);
        long lastSeen;
        await using (var before = await StationProbe.SubscribeAsync(fixture.BaseAddress, token, ward.WardId))
        {
            lastSeen = before.Snapshot.Seq;
        }

        var missed = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            missed.Add((await fixture.RaiseCallAsync(ward.Beds[i])).Id);
        }

        await using var back = StationProbe.Connect(fixture.BaseAddress, token);
        await back.StartAsync();
        var viaHub = await back.InvokeAsync<IReadOnlyList<WardEvent>>(DispatchHubMethods.Resync, ward.WardId, lastSeen);
        var viaHttp = await (await fixture.SendAsync(HttpMethod.Get, $"/api/events?ward={ward.WardId}&after={lastSeen}", token))
            .Content.ReadFromJsonAsync<List<WardEvent>>();

        foreach (var events in new[] { viaHub, viaHttp! })
        {
            events.Select(e => e.CallId!.Value).Should().Equal(missed);
            events.Select(e => e.Seq).Should().Equal(lastSeen + 1, lastSeen + 2, lastSeen + 3);
        }
    }

    [Fact]
    public async Task TheWardHeartbeatCarriesTheLatestSequence()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await fixture.RaiseCallAsync(ward.Beds[0]);
        var latest = await fixture.ScalarAsync<long>("SELECT last_seq FROM ward_sequences WHERE ward_id = @WardId", ward);
        await using var station = StationProbe.Connect(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]));
        var heartbeat = new TaskCompletionSource<WardHeartbeat>(TaskCreationOptions.RunContinuationsAsynchronously);
        station.On<WardHeartbeat>(nameof(IDispatchClient.WardHeartbeat), h =>
        {
            if (h.WardId == ward.WardId && h.Seq == latest)
            {
                heartbeat.TrySetResult(h);
            }
        });
        await station.StartAsync();
        await station.InvokeAsync<WardSnapshot>(DispatchHubMethods.Subscribe, ward.WardId);

        var received = await heartbeat.Task.WaitAsync(TimeSpan.FromSeconds(10));

        received.Seq.Should().Be(latest);
    }

    [Fact]
    public async Task WithPollingSwitchedOffTheHttpFallbackAnswers503AndTheHubStillResyncs()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.Migrations.UpAsync(CancellationToken.None);
        var ward = await new HospitalBuilder(database.DataSource).WardAsync(nurses: 1, beds: 1);
        await using var server = DispatchServer.Start(database.ConnectionString, new Dictionary<string, string> { ["POLLING_ENABLED"] = "false" });
        var token = await server.LoginAsync(ward.Nurses[0]);
        var call = await server.RaiseCallAsync(ward.Beds[0]);

        using var polled = await server.SendAsync(HttpMethod.Get, $"/api/events?ward={ward.WardId}&after=0", token);
        await using var station = StationProbe.Connect(server.BaseAddress, token);
        await station.StartAsync();
        var resynced = await station.InvokeAsync<IReadOnlyList<WardEvent>>(DispatchHubMethods.Resync, ward.WardId, 0L);

        polled.StatusCode.Should().Be(System.Net.HttpStatusCode.ServiceUnavailable);
        (await polled.Content.ReadAsStringAsync()).Should().Contain("POLLING_ENABLED=false");
        resynced.Should().ContainSingle(e => e.CallId == call.Id);
    }
}
