using System.Net;
using Dispatch.Contracts;
using Dispatch.Server.Sessions;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>What a security review checks on every answer: no caching of secrets, no sniffing, no series from made-up methods, no lock for a stranger.</summary>
[Collection(DispatchCollection.Name)]
public sealed class HttpHygieneTests(DispatchFixture fixture)
{
    [Fact]
    public async Task TwoHundredMadeUpMethodsAreRefusedWith405AndAddNoSeriesToTheMetrics()
    {
        for (var i = 0; i < 200; i++)
        {
            using var request = new HttpRequestMessage(new HttpMethod($"X{i}"), $"/api/made-up-{i}");
            using var response = await fixture.Http.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }

        // The server is shared with tests running meanwhile, so its series count moves: none of them may name these requests.
        (await SeriesAsync()).Where(series => series.Contains("method=\"X", StringComparison.Ordinal) || series.Contains("made-up", StringComparison.Ordinal))
            .Should().BeEmpty("a made-up method never reaches the request metrics");
    }

    [Fact]
    public async Task AnswersCarryingSecretsAreNeverCachedAndNoAnswerIsSniffed()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        using var signIn = await fixture.SendAsync(HttpMethod.Post, "/api/sessions", body: new { username = ward.Nurses[0].Username, password = ward.Nurses[0].Password });
        using var calls = await fixture.SendAsync(HttpMethod.Get, "/api/staff/me/calls", await fixture.LoginAsync(ward.Nurses[0]));
        using var refused = await fixture.SendAsync(HttpMethod.Get, "/api/staff/me/calls");
        using var page = await fixture.SendAsync(HttpMethod.Get, "/");

        foreach (var answer in new[] { signIn, calls, refused })
        {
            answer.Headers.CacheControl!.NoStore.Should().BeTrue($"{answer.RequestMessage!.RequestUri} carries a token or patients' calls");
            answer.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
        }
        page.Headers.CacheControl!.NoCache.Should().BeTrue("the board's page may be kept but is revalidated");
        page.Headers.GetValues("X-Content-Type-Options").Should().Equal("nosniff");
    }

    [Theory]
    [InlineData("GET", "/hubs/dispatch", HttpStatusCode.BadRequest, "Connection ID required")]
    [InlineData("POST", "/hubs/dispatch?id=nobody", HttpStatusCode.NotFound, "No Connection with that ID")]
    [InlineData("PUT", "/hubs/dispatch/negotiate?negotiateVersion=1", HttpStatusCode.MethodNotAllowed, "does not take that method")]
    public async Task SignalRsOwnRefusalsOfAHubRequestAreProblemDetailsWithItsSentence(string method, string path, HttpStatusCode status, string sentence)
    {
        var nurse = await fixture.LoginAsync((await fixture.Hospital().WardAsync(nurses: 1, beds: 0)).Nurses[0]);

        using var refused = await fixture.SendAsync(new HttpMethod(method), path, nurse);
        using var negotiated = await fixture.SendAsync(HttpMethod.Post, "/hubs/dispatch/negotiate?negotiateVersion=1", nurse);

        refused.StatusCode.Should().Be(status);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await refused.Content.ReadAsStringAsync()).Should().Contain(sentence);
        negotiated.StatusCode.Should().Be(HttpStatusCode.OK, "a hub request SignalR takes passes untouched");
        (await negotiated.Content.ReadAsStringAsync()).Should().Contain("connectionToken");
    }

    [Fact]
    public async Task RevokingTheSessionsOfNobodyIs404AndAuditsNothing()
    {
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var audited = await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'sessions_revoked' AND detail LIKE 'staff 0:%'");

        using var response = await fixture.SendAsync(HttpMethod.Post, "/api/staff/0/sessions/revoke", admin);

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("There is no staff member 0.");
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'sessions_revoked' AND detail LIKE 'staff 0:%'")).Should().Be(audited);
    }

    [Fact]
    public async Task ACancelWithAWrongKeyIsTurnedAwayWithoutWaitingForTheCallsLock()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        await using (await fixture.Hospital().HoldCallAsync(call.Id))
        {
            // Were the lock taken first, this would wait for the held row (50 s, the lock wait timeout).
            using var cancel = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/cancel", deviceKey: "not-the-bed's-key")
                .WaitAsync(TimeSpan.FromSeconds(10));
            cancel.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        (await fixture.Hospital().QueryAsync<string>("SELECT status FROM calls WHERE id = @Id", call)).Should().Equal(CallStatuses.Open);
    }

    private async Task<IReadOnlyList<string>> SeriesAsync() =>
        [.. (await fixture.Http.GetStringAsync("/metrics")).Split('\n').Where(line => line.Length > 0 && !line.StartsWith('#')).Select(line => line[..line.LastIndexOf(' ')])];
}
