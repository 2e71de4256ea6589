using System.Diagnostics;
using System.Net;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>Password guessing slowed down: per username on the shared server (its per-address limit is lifted there, since every test signs in from 127.0.0.1).</summary>
[Collection(DispatchCollection.Name)]
public sealed class SignInThrottleTests(DispatchFixture fixture)
{
    private const int FailuresPerUsername = 10;

    [Fact]
    public async Task TheEleventhWrongPasswordWithinAMinuteIs429WhileAColleagueSignsInAtOnceAndEachFailureIsAuditedWithItsAddress()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 0);
        var (target, colleague) = (ward.Nurses[0], ward.Nurses[1]);

        for (var i = 0; i < FailuresPerUsername; i++)
        {
            (await SignInAsync(target.Username, "not her password")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }
        using var throttled = await SignInAsync(target.Username, "not her password");
        using var rightPassword = await SignInAsync(target.Username, target.Password);
        var clock = Stopwatch.StartNew();
        using var other = await SignInAsync(colleague.Username, colleague.Password);
        var colleagueMs = clock.ElapsedMilliseconds;

        throttled.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        throttled.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 60);
        throttled.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await throttled.Content.ReadAsStringAsync()).Should().Contain("Too many failed sign-ins");
        rightPassword.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "while the username is throttled no password is checked, the right one neither");
        other.StatusCode.Should().Be(HttpStatusCode.OK, "a colleague is not held up by her lock");
        (await fixture.Hospital().QueryAsync<string>(
            "SELECT detail FROM audit_log WHERE action = 'login_failed' AND actor_id = @StaffId ORDER BY id", target))
            .Should().HaveCount(FailuresPerUsername).And.OnlyContain(detail => detail == $"username '{target.Username}' from 127.0.0.1");
        Console.WriteLine($"A colleague signed in {colleagueMs} ms after the username next to her was throttled");
    }

    [Fact]
    public async Task AnUnknownUsernameFailsLikeAWrongPasswordAndIsAuditedWithoutAStaffMember()
    {
        var username = $"nobody-{Guid.NewGuid():N}"[..24];

        using var answer = await SignInAsync(username, "whatever it is");

        answer.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await answer.Content.ReadAsStringAsync()).Should().Contain("Unknown username or wrong password.");
        (await fixture.Hospital().QueryAsync<long?>("SELECT actor_id FROM audit_log WHERE action = 'login_failed' AND detail = @detail",
            new { detail = $"username '{username}' from 127.0.0.1" })).Should().Equal([null]);
    }

    [Fact]
    public async Task AnAddressWithTooManyFailuresIsThrottledAsNginxNamesItAndAnotherAddressIsNot()
    {
        // A server of its own settings on the same database: three failures per address.
        await using var server = DispatchServer.Start(fixture.ConnectionString, new Dictionary<string, string> { ["SignIn:FailuresPerAddress"] = "3" });
        var guesser = $"10.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}";

        // nginx on this host appends the client's address to X-Forwarded-For; each guess tries another username.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            answers.Add(await SignInFromAsync(server, guesser, $"guess-{Guid.NewGuid():N}"[..20]));
        }
        var neighbour = await SignInFromAsync(server, "192.0.2.77", $"guess-{Guid.NewGuid():N}"[..20]);

        answers.Should().Equal(HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests);
        neighbour.Should().Be(HttpStatusCode.Unauthorized, "another address is not throttled for this one's guesses");
        (await fixture.Hospital().QueryAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'login_failed' AND detail LIKE @from",
            new { from = $"% from {guesser}" })).Should().Equal(3L);
    }

    [Fact]
    public async Task GuessesAtTheCurrentPasswordCountWithTheSignInsOfThatUsernameAndAreAudited()
    {
        var nurse = (await fixture.Hospital().WardAsync(nurses: 1, beds: 0)).Nurses[0];
        var session = await fixture.LoginAsync(nurse);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i <= FailuresPerUsername; i++)
        {
            using var change = await fixture.SendAsync(HttpMethod.Put, "/api/staff/me/password", session,
                new { currentPassword = $"guess number {i}", newPassword = "a brand new password" });
            answers.Add(change.StatusCode);
        }
        using var signIn = await SignInAsync(nurse.Username, nurse.Password);

        answers.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.Forbidden, FailuresPerUsername), HttpStatusCode.TooManyRequests]);
        signIn.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the guesses count against the username, at sign-in too");
        (await fixture.Hospital().QueryAsync<long>("SELECT COUNT(*) FROM audit_log WHERE action = 'password_change_failed' AND actor_id = @StaffId AND address = '127.0.0.1'", nurse))
            .Should().Equal(FailuresPerUsername);
    }

    [Fact]
    public async Task AnAddressGuessingKeysGets429ButARightKeyFromTheSameAddressStillRaisesItsCall()
    {
        await using var server = DispatchServer.Start(fixture.ConnectionString, new Dictionary<string, string> { ["SignIn:UnknownKeysPerAddress"] = "3" });
        var bed = (await fixture.Hospital().WardAsync(nurses: 1, beds: 1)).Beds[0];
        // Bed devices behind one gateway share its address: one of them has a wrong key.
        var gateway = $"10.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}";

        var wrong = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var answer = await RaiseFromAsync(server, gateway, bed, "not-a-key-" + i);
            wrong.Add(answer.StatusCode);
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
            {
                answer.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 60);
            }
        }
        using var right = await RaiseFromAsync(server, gateway, bed, bed.DeviceKey);
        using var heartbeat = ServerApi.Request(HttpMethod.Post, "/api/devices/heartbeat", deviceKey: "not-a-key-either");
        heartbeat.Headers.Add("X-Forwarded-For", gateway);
        using var wrongHeartbeat = await server.Http.SendAsync(heartbeat);

        wrong.Should().Equal(HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests);
        right.StatusCode.Should().Be(HttpStatusCode.Created, "a right key is never refused: the other beds behind the gateway must still call");
        wrongHeartbeat.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        (await MetricsText.SumAsync(server.Http, series => series.StartsWith("dispatch_credentials_refused_total", StringComparison.Ordinal)
            && series.Contains("key_throttled", StringComparison.Ordinal))).Should().Be(2, "the fourth raise and the heartbeat");
        (await fixture.Hospital().QueryAsync<string>("SELECT address FROM audit_log WHERE action = 'key_guessing' AND address = @gateway", new { gateway }))
            .Should().Equal([gateway], "the crossing is audited once, with the address");
    }

    [Fact]
    public async Task ARaiseDuringASignInFloodIsMeasuredAgainstItsIdleLatency()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 20);
        var idle = await RaiseLatenciesAsync(ward.Beds.Take(10));

        // Twenty sign-ins for unknown usernames at once: each costs a full password check (the decoy).
        var flood = Enumerable.Range(0, 20).Select(i => SignInAsync($"flood-{Guid.NewGuid():N}"[..20], "guess")).ToList();
        var during = await RaiseLatenciesAsync(ward.Beds.Skip(10));
        var answers = await Task.WhenAll(flood);

        answers.Should().OnlyContain(a => a.StatusCode == HttpStatusCode.Unauthorized);
        Console.WriteLine($"Raise latency, median of 10: idle {Median(idle):F0} ms; during a flood of 20 sign-ins {Median(during):F0} ms " +
            $"(max {during.Max():F0} ms); password checks run one at a time (SignIn:ConcurrentPasswordChecks)");
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    private async Task<List<double>> RaiseLatenciesAsync(IEnumerable<TestBed> beds)
    {
        var latencies = new List<double>();
        foreach (var bed in beds)
        {
            var clock = Stopwatch.StartNew();
            await fixture.RaiseCallAsync(bed);
            latencies.Add(clock.Elapsed.TotalMilliseconds);
        }
        return latencies;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static async Task<HttpStatusCode> SignInFromAsync(DispatchServer server, string address, string username)
    {
        using var request = ServerApi.Request(HttpMethod.Post, "/api/sessions", body: new { username, password = "guess" });
        request.Headers.Add("X-Forwarded-For", address);
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    private static Task<HttpResponseMessage> RaiseFromAsync(DispatchServer server, string address, TestBed bed, string deviceKey)
    {
        var request = ServerApi.Request(HttpMethod.Post, "/api/calls", body: new { bedId = bed.BedId, kind = "normal" }, deviceKey: deviceKey);
        request.Headers.Add("X-Forwarded-For", address);
        return server.Http.SendAsync(request);
    }

    private Task<HttpResponseMessage> SignInAsync(string username, string password) =>
        fixture.SendAsync(HttpMethod.Post, "/api/sessions", body: new { username, password });
}
