using System.Net;
using System.Net.Http.Json;
using Dapper;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>
/// A raise's assignment locks its ward's nurses and counts each one's open calls with a locking
/// read. Nothing else may wait on what it holds while holding what it reads, or raises deadlock
/// (measured: thousands of 1213 retries and raises refused with 503 at 5,000 demo stations): the
/// count reads only the ward's nurses' calls, and clearing a call does not wait on its nurse.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class AssignmentLockingTests(DispatchFixture fixture)
{
    [Fact]
    public async Task ARaiseIsNotHeldUpByAnotherWardsCallBeingChanged()
    {
        var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        (await fixture.RaiseAsync(other.Beds[0])).StatusCode.Should().Be(HttpStatusCode.Created);
        // A table after months of use, many calls cleared and few open: the shape in which the
        // optimizer, left to itself, reads every open call rather than a nurse's own.
        await fixture.ExecuteAsync("""
            INSERT INTO calls (bed_id, ward_id, kind, priority, raised_by, status, resolved_at, resolved_by)
            SELECT @BedId, @WardId, 'normal', 20, 'device', 'resolved', NOW(3), 'device' FROM seq_1_to_3000
            """, new { other.Beds[0].BedId, other.WardId });
        await fixture.ExecuteAsync("ANALYZE TABLE calls");

        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var change = await conn.BeginTransactionAsync();
        (await conn.ExecuteAsync("UPDATE calls SET repeat_count = repeat_count + 1 WHERE bed_id = @BedId AND status = 'open'",
            new { other.Beds[0].BedId }, change)).Should().Be(1, "the other ward's open call is being changed, its row locked");

        var raise = fixture.RaiseAsync(ward.Beds[0]);
        var finished = await Task.WhenAny(raise, Task.Delay(TimeSpan.FromSeconds(10)));
        await change.RollbackAsync();

        finished.Should().BeSameAs(raise, "a raise waits for nothing outside its own ward");
        (await raise).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ClearingACallDoesNotWaitOnItsNurseBeingAssigned()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var raised = await fixture.RaiseAsync(ward.Beds[0]);
        var call = (await raised.Content.ReadFromJsonAsync<CallView>())!;
        call.AssignedStaffId.Should().Be(ward.Nurses[0].StaffId);

        // What a raise in the ward holds while it assigns: the nurse's row.
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var assigning = await conn.BeginTransactionAsync();
        await conn.ExecuteAsync("SELECT id FROM staff WHERE id = @StaffId FOR UPDATE", new { ward.Nurses[0].StaffId }, assigning);

        var cancel = fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/cancel", deviceKey: ward.Beds[0].DeviceKey);
        var finished = await Task.WhenAny(cancel, Task.Delay(TimeSpan.FromSeconds(10)));
        await assigning.RollbackAsync();

        finished.Should().BeSameAs(cancel, "clearing a call changes the call, not its nurse");
        (await cancel).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
