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

        var (locked, raise) = await WhileLockedAsync(
            "UPDATE calls SET repeat_count = repeat_count + 1 WHERE bed_id = @BedId AND status = 'open'", new { other.Beds[0].BedId },
            () => fixture.RaiseAsync(ward.Beds[0]));

        locked.Should().Be(1, "the other ward's open call is being changed, its row locked");
        raise.Should().NotBeNull("a raise waits for nothing outside its own ward");
        raise!.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task ClearingACallDoesNotWaitOnItsNurseBeingAssigned()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var raised = await fixture.RaiseAsync(ward.Beds[0]);
        var call = (await raised.Content.ReadFromJsonAsync<CallView>())!;
        call.AssignedStaffId.Should().Be(ward.Nurses[0].StaffId);

        // What a raise in the ward holds while it assigns: the nurse's row.
        var (_, cancel) = await WhileLockedAsync("SELECT id FROM staff WHERE id = @StaffId FOR UPDATE", new { ward.Nurses[0].StaffId },
            () => fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/cancel", deviceKey: ward.Beds[0].DeviceKey));

        cancel.Should().NotBeNull("clearing a call changes the call, not its nurse");
        cancel!.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    /// <summary>
    /// Sends <paramref name="request"/> while another transaction holds what <paramref name="lockSql"/>
    /// locked: its answer if it came within 10 s (null if it waited), and the rows the lock touched.
    /// </summary>
    private async Task<(int Locked, HttpResponseMessage? Answer)> WhileLockedAsync(string lockSql, object args, Func<Task<HttpResponseMessage>> request)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        await using var holding = await conn.BeginTransactionAsync();
        var locked = await conn.ExecuteAsync(lockSql, args, holding);
        var answer = request();
        var finished = await Task.WhenAny(answer, Task.Delay(TimeSpan.FromSeconds(10)));
        await holding.RollbackAsync();
        return (locked, finished == answer ? await answer : null);
    }
}
