using Dispatch.Testing;
using Dispatch.Server.Hospital;

namespace Dispatch.IntegrationTests;

/// <summary>A roster decides who is assigned a bed's calls, through sp_assign_call_to_next_nurse on the running server.</summary>
[Collection(DispatchCollection.Name)]
public sealed class HospitalRosterTests(DispatchFixture fixture)
{
    [Fact]
    public async Task TheRosteredPrimaryNurseGetsTheBedsCallAndACorrectedRosterReplacesTheShift()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 2);
        var (first, second) = (ward.Nurses[0], ward.Nurses[1]);
        var (bedA, bedB) = (await BedNameAsync(ward.Beds[0].BedId), await BedNameAsync(ward.Beds[1].BedId));
        var from = await ShiftStartAsync();
        var roster = new RosterFile([new ShiftEntry(from, from.AddHours(12), [
            new RosterEntry(second.Username, Primary: [bedA], Secondary: null),
            new RosterEntry(first.Username, Primary: null, Secondary: [bedA]),
        ])]);

        (await ImportAsync(roster)).Summary.Should().Be("1 shifts, 2 bed assignments (replacing 0 of the same shifts)");
        (await ImportAsync(roster)).Summary.Should().Be("1 shifts, 2 bed assignments (replacing 2 of the same shifts)", "the same file again changes nothing");

        // Left to itself, the procedure would pick the first nurse (no open calls, lower id).
        (await fixture.RaiseCallAsync(ward.Beds[0])).AssignedStaffId.Should().Be(second.StaffId, "she is bed A's primary nurse this shift");

        var corrected = new RosterFile([new ShiftEntry(from, from.AddHours(12), [new RosterEntry(second.Username, Primary: [bedB], Secondary: null)])]);
        (await ImportAsync(corrected)).Summary.Should().Be("1 shifts, 1 bed assignments (replacing 2 of the same shifts)");

        // She has an open call now and the first nurse none: only the roster sends bed B's call to her.
        (await fixture.RaiseCallAsync(ward.Beds[1])).AssignedStaffId.Should().Be(second.StaffId, "the corrected roster gives her bed B");
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM bed_assignments WHERE bed_id = @BedId", ward.Beds[0]))
            .Should().Be(0, "bed A's assignments of that shift were replaced");
    }

    [Fact]
    public async Task ARosterNamingAnUnknownNurseOrBedOrABedOfAnotherWardChangesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var other = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var bed = await BedNameAsync(ward.Beds[0].BedId);
        var otherBed = await BedNameAsync(other.Beds[0].BedId);
        var from = await ShiftStartAsync();
        var before = await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM bed_assignments");

        var result = await ImportAsync(new RosterFile([new ShiftEntry(from, from.AddHours(12), [
            new RosterEntry(ward.Nurses[0].Username, Primary: [bed, otherBed], Secondary: ["No ward/r1/A"]),
            new RosterEntry("nobody-of-this-name", Primary: null, Secondary: [bed]),
        ])]));

        result.Problems.Should().Equal(
            $"shifts[0].assignments[0]: bed '{otherBed}' is in ward {otherBed.Split('/')[0]}, not in {ward.Nurses[0].Username}'s ward.",
            "shifts[0].assignments[0]: there is no bed 'No ward/r1/A'.",
            "shifts[0].assignments[1].nurse: there is no nurse 'nobody-of-this-name'.");
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM bed_assignments", new { })).Should().Be(before);
    }

    private Task<ImportResult> ImportAsync(RosterFile roster) => new HospitalRoster(fixture.DataSource).RunAsync(roster, CancellationToken.None);

    private Task<string> BedNameAsync(int bedId) => fixture.ScalarAsync<string>("""
        SELECT CONCAT(w.name, '/', r.name, '/', b.label) FROM beds b JOIN rooms r ON r.id = b.room_id JOIN wards w ON w.id = r.ward_id
        WHERE b.id = @bedId
        """, new { bedId });

    /// <summary>A shift running now by the database's clock, starting on a whole minute.</summary>
    private async Task<DateTimeOffset> ShiftStartAsync()
    {
        var now = await fixture.ScalarAsync<DateTime>("SELECT NOW()");
        return new DateTimeOffset(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(-7), TimeSpan.Zero);
    }
}
