using System.Text.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The protocol conformance scenarios (tests/conformance/scenarios.json) run against the .NET
/// station client and against a station written from docs/protocol.md alone
/// (<see cref="ProtocolDocClient"/>). JsStationClientTests runs the same file against the
/// browser's client, so the clients and the docs cannot drift apart.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class ConformanceTests(DispatchFixture fixture)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Scenarios() => [.. ConformanceScenarios.Load().Select(s => s.GetProperty("name").GetString()!)];

    private const string Shipped = "Dispatch.Client";
    private const string FromTheDocs = "written from docs/protocol.md";

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task TheDotNetStationClientConforms(string scenario) => RunAsync(scenario, Shipped);

    [Theory]
    [MemberData(nameof(Scenarios))]
    public Task AStationWrittenFromTheProtocolDocConforms(string scenario) => RunAsync(scenario, FromTheDocs);

    private async Task RunAsync(string scenario, string client)
    {
        var steps = ConformanceScenarios.Load().Single(s => s.GetProperty("name").GetString() == scenario).GetProperty("steps");
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: ConformanceScenarios.BedsPerScenario);
        var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var token = await fixture.LoginAsync(ward.Nurses[0]);
        var start = await fixture.Hospital().LastSequenceAsync(ward.WardId);
        var stations = new Dictionary<string, (IStation Station, long From)>();
        var calls = new List<long>();
        try
        {
            foreach (var step in steps.EnumerateArray())
            {
                if (step.TryGetProperty("connect", out var connect))
                {
                    var station = Connect(client, token);
                    await station.StartAsync();
                    stations[connect.GetString()!] = (station, 0);
                }
                else if (step.TryGetProperty("subscribe", out var subscribe))
                {
                    var name = subscribe.GetString()!;
                    var wardId = step.TryGetProperty("ward", out var which) && which.GetString() == "other" ? other.WardId : ward.WardId;
                    long? after = step.TryGetProperty("after", out var offset) ? start + offset.GetInt64() : null;
                    var subscribing = stations[name].Station.SubscribeAsync(wardId, after);
                    if (await RefusedAsync(step, subscribing))
                    {
                        continue;
                    }
                    stations[name] = stations[name] with { From = after ?? await subscribing };
                }
                else if (step.TryGetProperty("raise", out var raise))
                {
                    for (var i = 0; i < raise.GetInt32(); i++)
                    {
                        calls.Add((await fixture.RaiseCallAsync(ward.Beds[calls.Count])).Id);
                    }
                }
                else if (step.TryGetProperty("acknowledge", out var acknowledge))
                {
                    var callId = calls[step.GetProperty("call").GetInt32() - 1];
                    await RefusedAsync(step, stations[acknowledge.GetString()!].Station.AcknowledgeAsync(callId));
                }
                else if (step.TryGetProperty("expect", out var expect))
                {
                    var (station, from) = stations[expect.GetString()!];
                    var expected = step.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToList();
                    await station.WaitForAsync(expected.Count, s_wait);
                    station.Events.Select(e => $"{e.Type} {calls.IndexOf(e.CallId!.Value) + 1}").Should().Equal(expected);
                    station.Events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, expected.Count).Select(n => from + n),
                        "sequences follow on from where the client subscribed");
                }
                else
                {
                    throw new InvalidOperationException($"Unknown step {step}.");
                }
            }
        }
        finally
        {
            foreach (var (station, _) in stations.Values)
            {
                await station.DisposeAsync();
            }
        }
    }

    /// <summary>True when the step expected a refusal and got one with its sentence; false when it expected (and got) an answer.</summary>
    private static async Task<bool> RefusedAsync(JsonElement step, Task invocation)
    {
        if (!step.TryGetProperty("refused", out var sentence))
        {
            await invocation;
            return false;
        }
        var refusal = (await invocation.Invoking(t => t).Should().ThrowAsync<HubException>()).Which;
        // Both clients read the sentence as the docs say: the text after "HubException: ".
        (DispatchClient.RefusalSentence(refusal) ?? ProtocolDocClient.RefusalSentence(refusal)).Should().Contain(sentence.GetString()!);
        ProtocolDocClient.RefusalSentence(refusal).Should().Be(DispatchClient.RefusalSentence(refusal));
        ProtocolDocClient.RefusalCode(refusal).Should().Be(step.GetProperty("code").GetString()).And.Be(DispatchClient.RefusalCode(refusal));
        return true;
    }

    private IStation Connect(string client, string token) => client == Shipped
        ? new ShippedStation(new DispatchClient(fixture.BaseAddress, token, TimeSpan.FromSeconds(2)))
        : new DocStation(new ProtocolDocClient(fixture.BaseAddress, token));

    /// <summary>A station under test: what the scenarios drive and read.</summary>
    private interface IStation : IAsyncDisposable
    {
        IReadOnlyList<WardEvent> Events { get; }

        Task StartAsync();

        /// <summary>Returns the snapshot's sequence.</summary>
        Task<long> SubscribeAsync(int wardId, long? after);

        Task AcknowledgeAsync(long callId);

        Task WaitForAsync(int count, TimeSpan timeout);
    }

    private sealed class ShippedStation(DispatchClient client) : IStation
    {
        private readonly ReceivedEvents _received = new(client);

        public IReadOnlyList<WardEvent> Events => _received.Events;

        public Task StartAsync() => client.StartAsync();

        public async Task<long> SubscribeAsync(int wardId, long? after) => (await client.SubscribeFromAsync(wardId, after)).Seq;

        public Task AcknowledgeAsync(long callId) => client.AcknowledgeAsync(callId);

        public Task WaitForAsync(int count, TimeSpan timeout) => _received.WaitUntilAsync(events => events.Count >= count, $"{count} events", timeout);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    private sealed class DocStation(ProtocolDocClient client) : IStation
    {
        public IReadOnlyList<WardEvent> Events => client.Shown;

        public Task StartAsync() => client.StartAsync();

        public Task<long> SubscribeAsync(int wardId, long? after) => client.SubscribeAsync(wardId, after);

        public Task AcknowledgeAsync(long callId) => client.AcknowledgeAsync(callId);

        public Task WaitForAsync(int count, TimeSpan timeout) => client.WaitForShownAsync(count, timeout);

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }
}
