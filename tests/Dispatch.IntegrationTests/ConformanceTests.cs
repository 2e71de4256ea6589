using System.Text.Json;
using Dispatch.Client;
using Dispatch.Testing;
using Microsoft.AspNetCore.SignalR;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The protocol conformance scenarios (tests/conformance/scenarios.json) run against the .NET
/// station client. JsStationClientTests runs the same file against the browser's client, so the
/// two cannot drift apart.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class ConformanceTests(DispatchFixture fixture)
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Scenarios() => [.. ConformanceScenarios.Load().Select(s => s.GetProperty("name").GetString()!)];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task TheDotNetStationClientConforms(string scenario)
    {
        var steps = ConformanceScenarios.Load().Single(s => s.GetProperty("name").GetString() == scenario).GetProperty("steps");
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: ConformanceScenarios.BedsPerScenario);
        var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var token = await fixture.LoginAsync(ward.Nurses[0]);
        var start = await fixture.Hospital().LastSequenceAsync(ward.WardId);
        var clients = new Dictionary<string, (DispatchClient Client, ReceivedEvents Received, long From)>();
        var calls = new List<long>();
        try
        {
            foreach (var step in steps.EnumerateArray())
            {
                if (step.TryGetProperty("connect", out var connect))
                {
                    var client = new DispatchClient(fixture.BaseAddress, token, TimeSpan.FromSeconds(2));
                    var received = new ReceivedEvents(client);
                    await client.StartAsync();
                    clients[connect.GetString()!] = (client, received, 0);
                }
                else if (step.TryGetProperty("subscribe", out var subscribe))
                {
                    var name = subscribe.GetString()!;
                    var wardId = step.TryGetProperty("ward", out var which) && which.GetString() == "other" ? other.WardId : ward.WardId;
                    long? after = step.TryGetProperty("after", out var offset) ? start + offset.GetInt64() : null;
                    var subscribing = clients[name].Client.SubscribeFromAsync(wardId, after);
                    if (await RefusedAsync(step, subscribing))
                    {
                        continue;
                    }
                    clients[name] = clients[name] with { From = after ?? (await subscribing).Seq };
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
                    await RefusedAsync(step, clients[acknowledge.GetString()!].Client.AcknowledgeAsync(callId));
                }
                else if (step.TryGetProperty("expect", out var expect))
                {
                    var (_, received, from) = clients[expect.GetString()!];
                    var expected = step.GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToList();
                    await received.WaitUntilAsync(events => events.Count >= expected.Count, $"{expected.Count} events", s_wait);
                    received.Events.Select(e => $"{e.Type} {calls.IndexOf(e.CallId!.Value) + 1}").Should().Equal(expected);
                    received.Events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, expected.Count).Select(n => from + n),
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
            foreach (var (client, _, _) in clients.Values)
            {
                await client.DisposeAsync();
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
        DispatchClient.RefusalSentence(refusal).Should().Contain(sentence.GetString()!);
        return true;
    }
}
