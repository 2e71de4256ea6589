using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Dispatch.IntegrationTests;

/// <summary>
/// MariaDB itself raises error 1213: a trigger on calls signals it for as many inserts as a test
/// budgets for its bed. The budget table is MyISAM, so the count survives the rollback of the
/// failed attempt.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class DeadlockRetryTests(DispatchFixture fixture) : IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fixture.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS test_deadlock_budget (
              bed_id INT NOT NULL PRIMARY KEY, remaining INT NOT NULL, attempts INT NOT NULL DEFAULT 0
            ) ENGINE=MyISAM
            """);
        await fixture.ExecuteAsync("""
            CREATE TRIGGER IF NOT EXISTS test_force_deadlock BEFORE INSERT ON calls FOR EACH ROW
            BEGIN
              IF COALESCE((SELECT remaining FROM test_deadlock_budget WHERE bed_id = NEW.bed_id), 0) > 0 THEN
                UPDATE test_deadlock_budget SET remaining = remaining - 1, attempts = attempts + 1 WHERE bed_id = NEW.bed_id;
                SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock (forced)';
              END IF;
            END
            """);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task ADeadlockIsRetriedAndTheCallIsSaved()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var bed = ward.Beds[0];
        await fixture.ExecuteAsync("INSERT INTO test_deadlock_budget (bed_id, remaining) VALUES (@BedId, 1)", bed);

        var response = await fixture.RaiseAsync(bed);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        (await fixture.ScalarAsync<int>("SELECT attempts FROM test_deadlock_budget WHERE bed_id = @BedId", bed)).Should().Be(1);
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM calls WHERE bed_id = @BedId", bed)).Should().Be(1);
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM events WHERE ward_id = @WardId", ward)).Should().Be(1);
    }

    [Fact]
    public async Task ThreeRetriesThatAllDeadlockAnswer503AndSaveNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var bed = ward.Beds[0];
        await fixture.ExecuteAsync("INSERT INTO test_deadlock_budget (bed_id, remaining) VALUES (@BedId, 4)", bed);
        var before = await fixture.FootprintAsync(ward.WardId);

        var clock = Stopwatch.StartNew();
        var response = await fixture.RaiseAsync(bed);
        clock.Stop();

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Detail.Should().Contain("deadlocked after 3 retries");
        (await fixture.ScalarAsync<int>("SELECT attempts FROM test_deadlock_budget WHERE bed_id = @BedId", bed))
            .Should().Be(4, "the first attempt and three retries");
        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(350), "the retries wait 50, 100 and 200 ms");
        (await fixture.FootprintAsync(ward.WardId)).Should().Be(before);

        (await fixture.RaiseAsync(bed)).StatusCode.Should().Be(HttpStatusCode.Created, "once the deadlocks stop, the same request succeeds");
    }
}
