using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Client;
using Dispatch.Contracts;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class SessionLifetimeTests(DispatchFixture fixture)
{
    [Fact]
    public async Task TheCurrentSessionSaysWhoIsSignedInUntilItIsSignedOutThen401()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var token = await fixture.LoginAsync(ward.Nurses[0]);

        using var whoAmI = await fixture.SendAsync(HttpMethod.Get, "/api/sessions/current", token);
        whoAmI.StatusCode.Should().Be(HttpStatusCode.OK);
        (await whoAmI.Content.ReadFromJsonAsync<CurrentSession>()).Should().Be(
            new CurrentSession(ward.Nurses[0].StaffId, ward.Nurses[0].Username, StaffUser.Nurse, ward.WardId));

        (await fixture.SendAsync(HttpMethod.Delete, "/api/sessions/current", token)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await fixture.SendAsync(HttpMethod.Get, "/api/sessions/current", token)).StatusCode.Should().Be(HttpStatusCode.Unauthorized,
            "a client refused at reconnect asks here: 401 means signed out, not unreachable");
    }

    [Fact]
    public async Task ARevokedSessionsLiveConnectionIsClosedWith4401WithinAHeartbeatAndTheClientStaysSignedOut()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 0);
        var nurse = ward.Nurses[0];
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync(StaffUser.Admin, wardId: null));
        var session = await DispatchClient.SignInAsync(fixture.BaseAddress, nurse.Username, nurse.Password);
        await using var client = new DispatchClient(fixture.BaseAddress, session.Token, TimeSpan.FromSeconds(1));
        var states = new ConcurrentQueue<StationConnectionState>();
        var signedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += state =>
        {
            states.Enqueue(state);
            if (state == StationConnectionState.SignedOut)
            {
                signedOut.TrySetResult();
            }
        };
        await client.StartAsync();
        await client.SubscribeAsync(ward.WardId);

        var clock = Stopwatch.StartNew();
        (await fixture.SendAsync(HttpMethod.Post, $"/api/staff/{nurse.StaffId}/sessions/revoke", admin)).StatusCode.Should().Be(HttpStatusCode.OK);
        await signedOut.Task.WaitAsync(TimeSpan.FromSeconds(10));

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(3), "the session heartbeat is 1 s here (15 s by default)");
        client.SignedOutReason.Should().Contain("Sign in again");
        states.Should().Equal([StationConnectionState.Connected, StationConnectionState.SignedOut], "no reconnect with a dead session");

        var again = await DispatchClient.SignInAsync(fixture.BaseAddress, nurse.Username, nurse.Password);
        await using var fresh = new DispatchClient(fixture.BaseAddress, again.Token);
        await fresh.StartAsync();
        (await fresh.SubscribeAsync(ward.WardId)).WardId.Should().Be(ward.WardId, "a new sign-in works");
    }
}

/// <summary>A node process of its own, stopped the way systemd or Ctrl+C stops it.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task OnSigtermEveryStationIsToldServerShutdownAndTheNodeIsGoneWithinTenSeconds()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.Migrations.UpAsync(CancellationToken.None);
        var ward = await new HospitalBuilder(database.DataSource).WardAsync(nurses: 1, beds: 1);
        await using var node = await NodeProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>());
        var token = await node.LoginAsync(ward.Nurses[0]);
        var told = new List<Task<ShutdownNotice>>();
        var clients = new List<DispatchClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var client = new DispatchClient(node.BaseAddress, token);
                var notice = new TaskCompletionSource<ShutdownNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
                client.ServerShuttingDown += n => notice.TrySetResult(n);
                await client.StartAsync();
                await client.SubscribeAsync(ward.WardId);
                clients.Add(client);
                told.Add(notice.Task);
            }

            var clock = Stopwatch.StartNew();
            var exitCode = await node.TerminateAsync(TimeSpan.FromSeconds(10));
            var stopped = clock.Elapsed;

            var notices = await Task.WhenAll(told).WaitAsync(TimeSpan.FromSeconds(1));
            notices.Should().AllSatisfy(n => n.Reason.Should().Be("server_shutdown"));
            notices.Should().AllSatisfy(n => n.ReconnectWithinMs.Should().BePositive());
            stopped.Should().BeLessThan(TimeSpan.FromSeconds(10), string.Join("\n", node.Output));
            exitCode.Should().Be(0, "a clean stop");
            Console.WriteLine($"SIGTERM: 3 stations told server_shutdown; process exited in {stopped.TotalMilliseconds:F0} ms");
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }
}
