using System.Collections.Concurrent;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class DispatchClientTests(DispatchFixture fixture)
{
    [Fact]
    public async Task TheClientDeliversEveryEventOfItsWardOnceAndInOrder()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 9);
        await using var client = await ConnectAsync(ward);
        var received = new Collector(client);
        var snapshot = await client.SubscribeAsync(ward.WardId);

        var calls = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => fixture.RaiseCallAsync(ward.Beds[i])));

        var events = await received.WaitForCountAsync(9);
        events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, 9).Select(i => snapshot.Seq + i));
        events.Select(e => e.CallId!.Value).Should().BeEquivalentTo(calls.Select(c => c.Id));
    }

    [Fact]
    public async Task AResentOrOutOfOrderPushIsCountedAtTheWireThenDroppedOrRepairedSoTheBoardSeesEachEventOnce()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 3);
        await using var client = await ConnectAsync(ward);
        var received = new Collector(client);
        await client.SubscribeAsync(ward.WardId);
        var first = await fixture.RaiseCallAsync(ward.Beds[0]);
        var events = await received.WaitForCountAsync(1);
        var hub = fixture.Services.GetRequiredService<IHubContext<DispatchHub, IDispatchClient>>();

        // The same event pushed again, as a batch handed twice would be; then one from the future.
        await hub.Clients.Group(HubGroups.Ward(ward.WardId)).WardEvent(events[0]);
        await hub.Clients.Group(HubGroups.Ward(ward.WardId)).WardEvent(events[0] with { Seq = events[0].Seq + 2 });
        var second = await fixture.RaiseCallAsync(ward.Beds[1]);

        // One event more (the collector counts from where it stopped): the board has each once.
        (await received.WaitForCountAsync(1)).Select(e => e.CallId).Should().Equal(first.Id, second.Id);
        client.WireDuplicates.Should().BeGreaterThanOrEqualTo(1, "the resend reached the client, which dropped it");
        client.WireOutOfOrder.Should().BeGreaterThanOrEqualTo(1, "the push from the future showed a gap, which the client repaired from the outbox");
    }

    [Fact]
    public async Task AClientThatMissedLiveEventsCatchesUpFromTheOutboxWhenTheHeartbeatShowsItIsBehind()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 2);
        await using var client = await ConnectAsync(ward);
        var received = new Collector(client);
        var snapshot = await client.SubscribeAsync(ward.WardId);
        var connectionId = fixture.Services.GetRequiredService<ConnectionRecorder>().SingleConnectionOf(ward.Nurses[0]);
        // A blip on the live path (as a backplane outage would cause): the ward's pushes skip this
        // connection while two calls are raised, then reach it again. No later event reveals the
        // gap; only the ward heartbeat can.
        var groups = fixture.Services.GetRequiredService<IHubContext<DispatchHub, IDispatchClient>>().Groups;
        await using var witness = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[1]), ward.WardId);
        await groups.RemoveFromGroupAsync(connectionId, HubGroups.Ward(ward.WardId));
        var missed = new[] { await fixture.RaiseCallAsync(ward.Beds[0]), await fixture.RaiseCallAsync(ward.Beds[1]) };
        // Once a station still in the group has the second event, the relay has pushed it past the client.
        await witness.WaitForAsync(e => e.CallId == missed[1].Id, "the second missed call");
        await groups.AddToGroupAsync(connectionId, HubGroups.Ward(ward.WardId));

        var events = await received.WaitForCountAsync(2);
        events.Select(e => (e.Seq, e.CallId)).Should().Equal((snapshot.Seq + 1, missed[0].Id), (snapshot.Seq + 2, missed[1].Id));
    }

    [Fact]
    public async Task ATeamMemberHearsOfEachEventOfACallHerTeamTakesOnAnyWard()
    {
        var home = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var elsewhere = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await fixture.Hospital().TeamAsync([home.Nurses[0]], CallKinds.StaffEmergency);
        await using var client = await ConnectAsync(home);
        var forMyTeam = new ConcurrentQueue<WardEvent>();
        var accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.ForMyTeam += e =>
        {
            forMyTeam.Enqueue(e);
            if (e.Type == EventTypes.CallAccepted)
            {
                accepted.TrySetResult();
            }
        };
        await client.SubscribeAsync(home.WardId);

        var call = await fixture.RaiseCallAsync(elsewhere.Beds[0], CallKinds.StaffEmergency);
        (await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", await fixture.LoginAsync(elsewhere.Nurses[0]))).EnsureSuccessStatusCode();

        await accepted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        forMyTeam.Where(e => e.CallId == call.Id).Select(e => e.Type).Should().Equal(EventTypes.CallRaised, EventTypes.CallAccepted);
    }

    private async Task<DispatchClient> ConnectAsync(TestWard ward)
    {
        var session = await DispatchClient.SignInAsync(fixture.BaseAddress, ward.Nurses[0].Username, ward.Nurses[0].Password);
        var client = new DispatchClient(fixture.BaseAddress, session.Token);
        await client.StartAsync();
        return client;
    }

    private sealed class Collector
    {
        private readonly ConcurrentQueue<WardEvent> _events = new();
        private readonly SemaphoreSlim _arrived = new(0);

        public Collector(DispatchClient client) => client.EventReceived += e =>
        {
            _events.Enqueue(e);
            _arrived.Release();
        };

        public async Task<IReadOnlyList<WardEvent>> WaitForCountAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                if (!await _arrived.WaitAsync(TimeSpan.FromSeconds(10)))
                {
                    throw new TimeoutException($"Expected {count} events, received {_events.Count}.");
                }
            }
            // Nothing more may follow: each event exactly once.
            (await _arrived.WaitAsync(TimeSpan.FromMilliseconds(300))).Should().BeFalse("no event is delivered twice");
            return [.. _events];
        }
    }
}
