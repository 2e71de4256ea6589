using Dapper;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

/// <summary>The escalating process stops mid-ladder; another one, started later, carries on from the database.</summary>
public sealed class EscalationRestartTests
{
    [Fact]
    public async Task ARestartMidLadderLosesNoEscalationAndDoublesNone()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.Migrations.UpAsync(CancellationToken.None);
        var hospital = new HospitalBuilder(database.DataSource);
        var ward = await hospital.WardAsync(nurses: 2, beds: 1, floorLevel: 1, department: "Restart");
        await hospital.WardAsync(nurses: 1, beds: 0, floorLevel: 2, department: "Restart");
        await hospital.StaffAsync(StaffUser.Manager, ward.WardId);
        await hospital.StaffAsync(StaffUser.Admin, wardId: null);
        long callId;

        await using (var first = DispatchServer.Start(database.ConnectionString, EscalationFixture.Settings))
        {
            await using var station = await StationProbe.SubscribeAsync(first.BaseAddress, await first.LoginAsync(ward.Nurses[1]), ward.WardId);
            callId = (await first.RaiseCallAsync(ward.Beds[0])).Id;
            await station.WaitForAsync(e => e.CallId == callId && e.Call!.EscalationLevel == 1, "level 1 before the restart");
        }

        // While no process runs, the level 2 deadline passes.
        await using (var conn = await database.DataSource.OpenConnectionAsync())
        {
            await conn.ExecuteAsync("UPDATE calls SET next_escalation_at = NOW(3) - INTERVAL 1 SECOND WHERE id = @callId", new { callId });
        }

        await using (var second = DispatchServer.Start(database.ConnectionString, EscalationFixture.Settings))
        {
            await using var station = await StationProbe.SubscribeAsync(second.BaseAddress, await second.LoginAsync(ward.Nurses[1]), ward.WardId);
            await station.WaitForAsync(e => e.CallId == callId && e.Call!.EscalationLevel == 3, "level 3 after the restart", TimeSpan.FromSeconds(15));
        }

        await using var check = await database.DataSource.OpenConnectionAsync();
        (await check.QueryAsync<string>("SELECT action FROM audit_log WHERE call_id = @callId AND action LIKE 'escalation%' ORDER BY id", new { callId }))
            .Should().Equal("escalation_l1", "escalation_l2", "escalation_l3");
    }
}
