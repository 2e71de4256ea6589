using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The connection to MariaDB breaks after a raise's COMMIT reached the database and before its
/// answer came back: the call was saved, and the device must not be told that nothing was.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class CommitOutcomeTests(DispatchFixture fixture)
{
    [Fact]
    public async Task ARaiseWhoseCommitAnswerIsLostIsA503ThatMayHaveSavedTheCallAndItsRetryReturnsThatCallShownOnce()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        await using var cutter = new CommitReplyCutter(fixture.ConnectionString);
        await using var server = DispatchServer.Start(cutter.ConnectionString);
        var key = Guid.NewGuid().ToString();

        cutter.CutTheNextCommitAfter("INSERT INTO calls");
        using var lost = await server.RaiseAsync(ward.Beds[0], CallKinds.Normal, key);

        cutter.CommitReplyLost.Task.IsCompleted.Should().BeTrue("the raise's COMMIT was answered by the database and the answer dropped");
        lost.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var problem = (await lost.Content.ReadFromJsonAsync<ProblemDetails>())!;
        problem.Detail.Should().Contain("may or may not have been saved").And.NotContain("nothing was saved");
        problem.Extensions["code"]!.ToString().Should().Be("maybe_saved");
        var saved = await fixture.QueryAsync<long>("SELECT id FROM calls WHERE bed_id = @BedId", ward.Beds[0]);
        saved.Should().ContainSingle("the database committed the call before the connection broke");

        using var retry = await server.RaiseAsync(ward.Beds[0], CallKinds.Normal, key);

        retry.StatusCode.Should().Be(HttpStatusCode.OK, "the device's retry finds the call its lost answer was about");
        (await retry.Content.ReadFromJsonAsync<CallView>())!.Id.Should().Be(saved[0]);
        (await fixture.QueryAsync<long>("SELECT id FROM calls WHERE bed_id = @BedId", ward.Beds[0])).Should().Equal(saved);
        // Events arrive in order: once a later call is on the station, so is all that came before it.
        var later = await fixture.RaiseCallAsync(ward.Beds[1]);
        await station.WaitForAsync(e => e.CallId == later.Id, "a later call on the ward's station");
        station.Events.Where(e => e.CallId == saved[0]).Should().ContainSingle("the call is shown once, its retry announcing nothing new");
    }
}
