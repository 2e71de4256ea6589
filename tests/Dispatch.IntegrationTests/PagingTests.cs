using System.Diagnostics;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>
/// Pages to a nurse's pager, written with the call and sent by Dispatch.Gateway (its own process)
/// to a TAP paging terminal on loopback: sent once answered, resent while not, failed and told to
/// the ward after its tries, stopped by an acknowledge, and neither lost nor doubled by a kill -9.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class PagingTests(DispatchFixture fixture)
{
    [Theory]
    [InlineData("tap")]
    [InlineData("espa")]
    public async Task ARaisedCallIsPagedToItsNurseWithinTwoSecondsWithRoomBedAndKindUnderAValidChecksum(string protocol)
    {
        var (ward, pager) = await WardWithPagedNurseAsync();
        await using var terminal = new FakePagingTerminal(protocol);
        await using var gateway = await StartGatewayAsync(terminal, protocol: protocol);

        var raised = Stopwatch.StartNew();
        var call = await fixture.RaiseCallAsync(ward.Beds[0], CallKinds.Bath);
        var page = (await terminal.WaitForPagesAsync(pager, 1, TimeSpan.FromSeconds(2))).Single();
        Console.WriteLine($"Call raised → page at the {protocol} paging server: {raised.ElapsedMilliseconds} ms");

        page.ChecksumValid.Should().BeTrue();
        page.Text.Should().Be($"Bathroom call room {call.Room} bed {call.Bed}, {call.Ward}");
        await Eventually.UntilAsync(async () => await PageStatusAsync(call.Id) == ("sent", 1), "the page reported sent after one try", TimeSpan.FromSeconds(5));
        (await AuditActionsAsync(call.Id)).Should().Contain("page_sent");
    }

    [Fact]
    public async Task APageNeverAnsweredIsSentThreeTimesThenFailedAuditedAndShownToTheWard()
    {
        var (ward, pager) = await WardWithPagedNurseAsync();
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[1]), ward.WardId);
        await using var terminal = new FakePagingTerminal { Answering = false };
        await using var gateway = await StartGatewayAsync(terminal);

        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        var failed = await station.WaitForAsync(e => e.Type == EventTypes.PageFailed, "the ward told the page failed", TimeSpan.FromSeconds(15));

        failed.CallId.Should().Be(call.Id);
        terminal.PagesTo(pager).Should().HaveCount(3, "the first try and two resends");
        (await PageStatusAsync(call.Id)).Should().Be(("failed", 3));
        (await AuditActionsAsync(call.Id)).Should().Contain(EventTypes.PageFailed).And.NotContain("page_sent");
        await Task.Delay(TimeSpan.FromSeconds(2));
        terminal.PagesTo(pager).Should().HaveCount(3, "a failed page is not sent again");
    }

    [Fact]
    public async Task AnAcknowledgeOnTheBoardStopsTheResends()
    {
        var (ward, pager) = await WardWithPagedNurseAsync();
        await using var terminal = new FakePagingTerminal { Answering = false };
        await using var gateway = await StartGatewayAsync(terminal);

        var call = await fixture.RaiseCallAsync(ward.Beds[0]);
        await terminal.WaitForPagesAsync(pager, 1, TimeSpan.FromSeconds(2));
        using (var ack = await fixture.SendAsync(HttpMethod.Post, $"/api/calls/{call.Id}/ack", await fixture.LoginAsync(ward.Nurses[0])))
        {
            ack.EnsureSuccessStatusCode();
        }

        await Eventually.UntilAsync(async () => (await PageStatusAsync(call.Id)).Status == "stopped", "the page stopped", TimeSpan.FromSeconds(5));
        await Task.Delay(TimeSpan.FromSeconds(2));
        terminal.PagesTo(pager).Should().HaveCount(1, "the nurse acknowledged the call after the first try");
    }

    [Fact]
    public async Task AGatewayKilledMidPageSendsThePageOnceAfterItsRestartNotTwice()
    {
        var (ward, pager) = await WardWithPagedNurseAsync();
        await using var terminal = new FakePagingTerminal { Answering = false };
        var call = default(CallView);
        await using (var first = await StartGatewayAsync(terminal, answerTimeoutMs: 60_000))
        {
            call = await fixture.RaiseCallAsync(ward.Beds[0]);
            await terminal.WaitForPagesAsync(pager, 1, TimeSpan.FromSeconds(3));
            first.Kill(); // waiting for the paging terminal's answer
        }

        terminal.Answering = true;
        await using var second = await StartGatewayAsync(terminal);
        await Eventually.UntilAsync(async () => (await PageStatusAsync(call.Id)).Status == "sent", "the page sent after the restart", TimeSpan.FromSeconds(10));
        await Task.Delay(TimeSpan.FromSeconds(2));

        terminal.PagesTo(pager).Should().HaveCount(2, "the try the killed gateway never heard answered, then exactly one after its restart");
        (await PageStatusAsync(call.Id)).Should().Be(("sent", 2));
    }

    /// <summary>A ward whose first nurse has a pager of her own (a number no other test uses) and bed 1.</summary>
    private async Task<(TestWard Ward, string Pager)> WardWithPagedNurseAsync()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 2, beds: 1);
        var pager = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await fixture.Hospital().SetPagerAsync(ward.Nurses[0], pager);
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], ward.Nurses[0], isPrimary: true);
        return (ward, pager);
    }

    private async Task<GatewayProcess> StartGatewayAsync(FakePagingTerminal terminal, int answerTimeoutMs = 300, string protocol = "tap")
    {
        var line = await fixture.Hospital().PagingLineAsync();
        return await GatewayProcess.StartAsync(fixture.BaseAddress, new Dictionary<string, IReadOnlyDictionary<string, string>>(), new Dictionary<string, string>
        {
            ["Protocol"] = protocol,
            ["Key"] = line.Key,
            ["Connect"] = $"127.0.0.1:{terminal.Port}",
            ["AnswerTimeoutMs"] = answerTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["PollMs"] = "200",
        });
    }

    private async Task<(string Status, int Tries)> PageStatusAsync(long callId) =>
        (await fixture.Hospital().QueryAsync<(string, int)>("SELECT status, tries FROM pages WHERE call_id = @callId", new { callId })).Single();

    private Task<IReadOnlyList<string>> AuditActionsAsync(long callId) =>
        fixture.Hospital().QueryAsync<string>("SELECT action FROM audit_log WHERE call_id = @callId ORDER BY id", new { callId });
}
