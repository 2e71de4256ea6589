using System.Net;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Escalation;
using Dispatch.Server.Sessions;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Dispatch.IntegrationTests;

/// <summary>A server with the ladder shortened to 2 / 4 / 6 s (a code blue's first step to 1 s), on a database of its own.</summary>
public sealed class EscalationFixture() : DispatchFixture(Settings)
{
    public const int Level1Seconds = 2;
    public const int Level2Seconds = 4;
    public const int Level3Seconds = 6;

    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["Escalation:Level1Seconds"] = $"{Level1Seconds}",
        ["Escalation:Level2Seconds"] = $"{Level2Seconds}",
        ["Escalation:Level3Seconds"] = $"{Level3Seconds}",
        ["Escalation:Kinds:code_blue:Level1Seconds"] = $"{CodeBlueLevel1Seconds}",
        ["Escalation:SweepIntervalMs"] = "100",
    };

    public const int CodeBlueLevel1Seconds = 1;
}

[CollectionDefinition(Name)]
public sealed class EscalationCollection : ICollectionFixture<EscalationFixture>
{
    public const string Name = "Dispatch server with a short escalation ladder";
}

[Collection(EscalationCollection.Name)]
public sealed class EscalationTests(EscalationFixture fixture)
{
    private sealed record Escalation(string Action, string Detail, double SecondsAfterCreation);

    [Fact]
    public async Task AnUnacknowledgedCallClimbsEveryLevelOnTimeToTheNextFloorTheManagerAndAdministration()
    {
        var site = await SiteAsync();
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(site.Ward.Nurses[1]), site.Ward.WardId);
        await using var upstairs = StationProbe.Connect(fixture.BaseAddress, await fixture.LoginAsync(site.Upstairs));
        var toUpstairs = new TaskCompletionSource<WardEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        upstairs.On<WardEvent>(nameof(IDispatchClient.CallEscalatedToYou), e => toUpstairs.TrySetResult(e));
        await upstairs.StartAsync();

        var call = await fixture.RaiseCallAsync(site.Ward.Beds[0], CallKinds.Bath);

        var top = await station.WaitForAsync(e => e.CallId == call.Id && e.Call!.EscalationLevel == 3, "the level 3 escalation", TimeSpan.FromSeconds(15));
        var levels = station.Events.Where(e => e.Type == EventTypes.CallEscalated).Select(e => e.Call!).ToList();
        levels.Select(c => (c.EscalationLevel, c.Priority)).Should().Equal((1, 31), (2, 32), (3, 35));
        levels[0].AssignedStaffId.Should().Be(site.Upstairs.StaffId, "level 1 goes to a nurse of the next floor");
        levels[1].AssignedStaffId.Should().Be(site.Manager.StaffId, "level 2 goes to the department's manager");
        (await fixture.ScalarAsync<string>("SELECT role FROM staff WHERE id = @AssignedStaffId", top.Call!)).Should().Be("admin");
        (await toUpstairs.Task.WaitAsync(TimeSpan.FromSeconds(5))).CallId.Should().Be(call.Id, "the next floor's nurse is told wherever she is");

        var audit = await EscalationsOfAsync(call.Id);
        audit.Select(a => a.Action).Should().Equal("escalation_l1", "escalation_l2", "escalation_l3");
        audit.Zip([EscalationFixture.Level1Seconds, EscalationFixture.Level2Seconds, EscalationFixture.Level3Seconds])
            .Should().AllSatisfy(pair => pair.First.SecondsAfterCreation.Should().BeInRange(pair.Second, pair.Second + 1.0,
                $"{pair.First.Action} is due {pair.Second} s after the call was raised"));
    }

    [Fact]
    public async Task AnAcknowledgedCallDoesNotEscalate()
    {
        var site = await SiteAsync();
        var acknowledged = await fixture.RaiseCallAsync(site.Ward.Beds[0]);
        var sentinel = await fixture.RaiseCallAsync(site.Ward.Beds[1]);
        var ack = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{acknowledged.Id}/ack", await fixture.LoginAsync(site.Ward.Nurses[0]));
        ack.StatusCode.Should().Be(HttpStatusCode.OK);
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(site.Ward.Nurses[1]), site.Ward.WardId);

        // The sentinel was raised after the acknowledged call: once it has escalated, the other's deadline has passed too.
        await station.WaitForAsync(e => e.CallId == sentinel.Id && e.Type == EventTypes.CallEscalated, "the sentinel's escalation", TimeSpan.FromSeconds(10));

        (await EscalationsOfAsync(acknowledged.Id)).Should().BeEmpty();
        (await fixture.ScalarAsync<int>("SELECT escalation_level FROM calls WHERE id = @Id", acknowledged)).Should().Be(0);
    }

    [Fact]
    public async Task SweepersRunningAtOnceNeverEscalateACallTwice()
    {
        var site = await SiteAsync(beds: 10);
        var calls = await Task.WhenAll(site.Ward.Beds.Select(b => fixture.RaiseCallAsync(b)));
        await using var second = fixture.StartServer();
        var sweepers = new[] { fixture.Services, second.Services }.Select(s => s.GetRequiredService<EscalationSweep>()).ToList();
        await fixture.ExecuteAsync("UPDATE calls SET next_escalation_at = NOW(3) - INTERVAL 1 SECOND WHERE ward_id = @WardId", site.Ward);

        // Both nodes sweep at once, five times each, beside the leader's own sweep.
        var escalated = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => sweepers[i % 2].SweepOnceAsync(CancellationToken.None)));

        escalated.Sum().Should().BeLessThanOrEqualTo(calls.Length);
        var perCall = await fixture.QueryAsync<(long CallId, long Level1Rows)>("""
            SELECT c.id, (SELECT COUNT(*) FROM audit_log a WHERE a.call_id = c.id AND a.action = 'escalation_l1')
            FROM calls c WHERE c.ward_id = @WardId
            """, site.Ward);
        perCall.Should().HaveCount(calls.Length).And.AllSatisfy(c => c.Level1Rows.Should().Be(1));
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM events WHERE ward_id = @WardId AND type = 'call_escalated' AND JSON_VALUE(payload, '$.escalationLevel') = 1", site.Ward))
            .Should().Be(calls.Length);
    }

    private async Task<IReadOnlyList<Escalation>> EscalationsOfAsync(long callId)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<Escalation>("""
            SELECT a.action AS Action, a.detail AS Detail,
                   TIMESTAMPDIFF(MICROSECOND, c.created_at, a.at) / 1e6 AS SecondsAfterCreation
            FROM audit_log a JOIN calls c ON c.id = a.call_id
            WHERE a.call_id = @callId AND a.action LIKE 'escalation%' ORDER BY a.id
            """, new { callId })).ToList();
    }

    private sealed record Site(TestWard Ward, TestStaff Upstairs, TestStaff Manager);

    /// <summary>
    /// A ward on a floor of its own with the floor above staffed, and a department of its own with
    /// its manager, so that each test's escalations find this test's people.
    /// </summary>
    [Fact]
    public async Task ACodeBlueClimbsItsOwnLadderWhileTheOtherKindsKeepTheLadderOfEveryKind()
    {
        var site = await SiteAsync();
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(site.Ward.Nurses[1]), site.Ward.WardId);

        var code = await fixture.RaiseCallAsync(site.Ward.Beds[0], CallKinds.CodeBlue);
        var bath = await fixture.RaiseCallAsync(site.Ward.Beds[1], CallKinds.Bath);

        (await SecondsToNextDeadlineAsync(code.Id)).Should().Be(EscalationFixture.CodeBlueLevel1Seconds, "Escalation:Kinds:code_blue:Level1Seconds");
        (await SecondsToNextDeadlineAsync(bath.Id)).Should().Be(EscalationFixture.Level1Seconds, "a kind without a ladder of its own keeps every kind's");
        await station.WaitForAsync(e => e.CallId == code.Id && e.Call!.EscalationLevel == 1, "the code blue's level 1", TimeSpan.FromSeconds(10));
        (await SecondsToNextDeadlineAsync(code.Id)).Should().Be(EscalationFixture.Level2Seconds, "a level the kind does not set is every kind's");
    }

    /// <summary>The call's next deadline, as seconds from its creation (deadlines are stored on the call).</summary>
    private Task<double> SecondsToNextDeadlineAsync(long callId) => fixture.ScalarAsync<double>(
        "SELECT TIMESTAMPDIFF(MICROSECOND, created_at, next_escalation_at) / 1e6 FROM calls WHERE id = @callId", new { callId });

    private async Task<Site> SiteAsync(int beds = 2)
    {
        var level = Random.Shared.Next(1_000, 1_000_000) * 1_000;
        var department = $"dept-{Guid.NewGuid():N}"[..20];
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: beds, floorLevel: level, department: department);
        var upstairs = await fixture.Hospital().WardAsync(nurses: 1, beds: 0, floorLevel: level + 1, department: department);
        var manager = await fixture.Hospital().StaffAsync(StaffUser.Manager, ward.WardId);
        await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        return new Site(ward, upstairs.Nurses[0], manager);
    }
}
