using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>One open call per bed and kind: a stuck or impatient button re-announces its call, it never floods the ward.</summary>
[Collection(ClusterCollection.Name)]
public sealed class OneCallPerBedTests(ClusterFixture fixture)
{
    private const int Presses = 200;

    [Fact]
    public async Task TwoHundredConcurrentPressesOfOneBedThroughBothNodesGiveOneCallWithTheRepeatsCountedAndAudited()
    {
        var cluster = fixture.Cluster;
        var ward = await cluster.Hospital().WardAsync(nurses: 2, beds: 1);
        var bed = ward.Beds[0];
        await using var station = await StationProbe.SubscribeAsync(cluster.NodeA.BaseAddress, await cluster.NodeA.LoginAsync(ward.Nurses[0]), ward.WardId);
        var start = station.Snapshot.Seq;

        var answers = await Task.WhenAll(Enumerable.Range(0, Presses).Select(async i =>
        {
            using var response = await (i % 2 == 0 ? cluster.NodeA : cluster.NodeB).RaiseAsync(bed);
            return (response.StatusCode, Call: await response.Content.ReadFromJsonAsync<CallView>());
        }));

        answers.Count(a => a.StatusCode == HttpStatusCode.Created).Should().Be(1, "the first press raises the call");
        answers.Count(a => a.StatusCode == HttpStatusCode.OK).Should().Be(Presses - 1, "every other press answers with that call");
        var callId = answers.Select(a => a.Call!.Id).Distinct().Should().ContainSingle().Which;
        (await cluster.Hospital().CallIdsAsync(ward.WardId)).Should().Equal(callId);
        (await cluster.Hospital().QueryAsync<int>("SELECT repeat_count FROM calls WHERE id = @callId", new { callId })).Should().Equal(Presses - 1);
        (await cluster.Hospital().QueryAsync<(string, long)>(
            "SELECT action, COUNT(*) FROM audit_log WHERE call_id = @callId GROUP BY action ORDER BY action", new { callId }))
            .Should().Equal(("call_raised", 1L), ("call_repeated", Presses - 1L));

        await station.WaitForAsync(e => e.Seq == start + Presses, $"event #{start + Presses}", TimeSpan.FromSeconds(15));
        station.Events.Select(e => e.Seq).Should().Equal(Enumerable.Range(1, Presses).Select(n => start + n), "the ward's sequence stays gap-free");
        station.Events.Select(e => e.Type).Should().Equal([EventTypes.CallRaised, .. Enumerable.Repeat(EventTypes.CallRepeated, Presses - 1)]);
        station.Events[^1].Call!.RepeatCount.Should().Be(Presses - 1, "the board shows how often the bed pressed");
    }

    [Fact]
    public async Task AHigherKindOnTheSameBedIsACallOfItsOwnAndTheLowerOneStays()
    {
        var cluster = fixture.Cluster;
        var ward = await cluster.Hospital().WardAsync(nurses: 1, beds: 1);
        var normal = await cluster.NodeA.RaiseCallAsync(ward.Beds[0], CallKinds.Normal);

        using var assist = await cluster.NodeB.RaiseAsync(ward.Beds[0], CallKinds.StaffAssist);

        assist.StatusCode.Should().Be(HttpStatusCode.Created);
        (await assist.Content.ReadFromJsonAsync<CallView>())!.Id.Should().NotBe(normal.Id);
        (await cluster.Hospital().QueryAsync<string>("SELECT status FROM calls WHERE ward_id = @WardId ORDER BY id", new { ward.WardId }))
            .Should().Equal(CallStatuses.Open, CallStatuses.Open);
    }
}
