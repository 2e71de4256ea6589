using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dispatch.Contracts;
using Dispatch.Testing;
using Xunit.Abstractions;

namespace Dispatch.IntegrationTests;

/// <summary>A code team: each event of a code blue reaches every on-duty member wherever they are signed in, as well as the call's ward.</summary>
[Collection(ClusterCollection.Name)]
public sealed class TeamTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan s_arrival = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task ACodeBlueReachesEveryOnDutyMemberOfTheCodeTeamOnWhateverWardTheyWatchAndIsListedAsTheirs()
    {
        var cluster = fixture.Cluster;
        var hospital = cluster.Hospital();
        var ward = await hospital.WardAsync(nurses: 1, beds: 2);
        var membersWards = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => hospital.WardAsync(nurses: 1, beds: 0)));
        var members = membersWards.Select(w => w.Nurses[0]).ToList();
        var offDuty = (await hospital.WardAsync(nurses: 1, beds: 0, allOnDuty: false)).Nurses[0];
        await hospital.TeamAsync([.. members, offDuty], CallKinds.CodeBlue);

        // Each member watches their own ward's board: one on node A, one on node B, one through nginx.
        Uri[] addresses = [cluster.NodeA.BaseAddress, cluster.NodeB.BaseAddress, cluster.Nginx.BaseAddress];
        var boards = new List<StationProbe>();
        var inboxes = new List<PersonalInbox>();
        for (var i = 0; i < members.Count; i++)
        {
            var board = await StationProbe.SubscribeAsync(addresses[i], await cluster.NodeA.LoginAsync(members[i]), membersWards[i].WardId);
            boards.Add(board);
            inboxes.Add(new PersonalInbox(board.Connection, nameof(IDispatchClient.CallForYourTeam)));
        }
        await using var offDutyConnection = StationProbe.Connect(cluster.NodeB.BaseAddress, await cluster.NodeB.LoginAsync(offDuty));
        var offDutyInbox = new PersonalInbox(offDutyConnection, nameof(IDispatchClient.CallForYourTeam));
        await offDutyConnection.StartAsync();
        await using var wardStation = await StationProbe.SubscribeAsync(cluster.NodeA.BaseAddress, await cluster.NodeA.LoginAsync(ward.Nurses[0]), ward.WardId);
        try
        {
            // A node learns of a new team within Teams:RefreshSeconds (5 s): the first code blue may wait for that.
            var first = await cluster.NodeB.RaiseCallAsync(ward.Beds[0], CallKinds.CodeBlue);
            await Task.WhenAll(inboxes.Select(inbox => inbox.WaitForAsync(e => e.CallId == first.Id, "the first code blue", TimeSpan.FromSeconds(15))));

            var raisedAt = Stopwatch.GetTimestamp();
            var call = await cluster.NodeB.RaiseCallAsync(ward.Beds[1], CallKinds.CodeBlue);
            var arrivals = await Task.WhenAll(inboxes.Select(inbox =>
                inbox.WaitForAsync(e => e.CallId == call.Id && e.Type == EventTypes.CallRaised, "the code blue", s_arrival)));

            var latencies = arrivals.Select(a => Stopwatch.GetElapsedTime(raisedAt, a.ArrivedAt).TotalMilliseconds).ToList();
            output.WriteLine($"code blue from the press to each team member: {string.Join(", ", latencies.Select(ms => $"{ms:0} ms"))}");
            arrivals.Should().AllSatisfy(a => a.Event.Call!.Kind.Should().Be(CallKinds.CodeBlue));
            await wardStation.WaitForAsync(e => e.CallId == call.Id && e.Type == EventTypes.CallRaised, "the code blue on its own ward", s_arrival);
            boards.SelectMany(b => b.Events).Should().NotContain(e => e.CallId == call.Id, "the members' own wards' streams stay their wards'");

            foreach (var member in members)
            {
                (await MyCallsAsync(member)).Should().Contain(c => c.Id == call.Id, "the code blue is on every member's list");
            }
            (await MyCallsAsync(offDuty)).Should().NotContain(c => c.Id == call.Id, "a member off duty is not called");

            // Going on duty counts at once; the call's next event (acknowledged) reaches her and the others.
            await hospital.SetOnDutyAsync(offDuty, onDuty: true);
            using var ack = await cluster.NodeA.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", await cluster.NodeA.LoginAsync(ward.Nurses[0]));
            ack.StatusCode.Should().Be(HttpStatusCode.OK);
            await Task.WhenAll(inboxes.Append(offDutyInbox).Select(inbox =>
                inbox.WaitForAsync(e => e.CallId == call.Id && e.Type == EventTypes.CallAccepted, "the acknowledgement", s_arrival)));
            offDutyInbox.Events.Should().NotContain(e => e.Type == EventTypes.CallRaised && (e.CallId == call.Id || e.CallId == first.Id),
                "she was off duty when the code blues were raised");
        }
        finally
        {
            foreach (var board in boards)
            {
                await board.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task CallsOfAKindNoTeamTakesGoToTheWardOnly()
    {
        var cluster = fixture.Cluster;
        var hospital = cluster.Hospital();
        var ward = await hospital.WardAsync(nurses: 1, beds: 1);
        var member = (await hospital.WardAsync(nurses: 1, beds: 0)).Nurses[0];
        await hospital.TeamAsync([member], CallKinds.CodeBlue);
        await using var connection = StationProbe.Connect(cluster.NodeA.BaseAddress, await cluster.NodeA.LoginAsync(member));
        var inbox = new PersonalInbox(connection, nameof(IDispatchClient.CallForYourTeam));
        await connection.StartAsync();
        await using var wardStation = await StationProbe.SubscribeAsync(cluster.NodeA.BaseAddress, await cluster.NodeA.LoginAsync(ward.Nurses[0]), ward.WardId);

        var call = await cluster.NodeB.RaiseCallAsync(ward.Beds[0], CallKinds.StaffAssist);

        await wardStation.WaitForAsync(e => e.CallId == call.Id, "the assist call on its ward", s_arrival);
        (await MyCallsAsync(member)).Should().NotContain(c => c.Id == call.Id);
        inbox.Events.Should().NotContain(e => e.CallId == call.Id, "a staff assist is the ward's, not the code team's");
    }

    private async Task<IReadOnlyList<CallView>> MyCallsAsync(TestStaff staff)
    {
        using var response = await fixture.Cluster.NodeA.SendAsync(HttpMethod.Get, "/api/staff/me/calls", await fixture.Cluster.NodeA.LoginAsync(staff));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<IReadOnlyList<CallView>>())!;
    }
}
