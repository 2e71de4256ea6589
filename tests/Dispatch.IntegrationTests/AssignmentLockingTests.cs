using System.Net;
using Dapper;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>
/// sp_assign_call_to_next_nurse counts each nurse's open calls with a locking read. It must read
/// only the calls of its ward's nurses: a read over every open call of the hospital waits on any
/// call another transaction is changing, and two raises doing so deadlock (measured: thousands of
/// 1213 retries and raises refused with 503 at 5,000 demo stations).
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
}
