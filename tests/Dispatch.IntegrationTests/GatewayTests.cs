using System.Diagnostics;
using System.IO.Ports;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Dispatch.Contracts;
using Dispatch.Testing;
using static Dispatch.IntegrationTests.PrimarySystemEnd;

namespace Dispatch.IntegrationTests;

/// <summary>
/// Dispatch.Gateway, as shipped and as its own process, hearing the primary nurse-call system over
/// TAP and ESPA 4.4.4 on real sockets and pseudo-terminals (socat), and the server turning what it
/// hears into calls on the ward's stations.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class GatewayTests(DispatchFixture fixture)
{
    [Fact]
    public async Task ATapPageOnASerialLineIsAnswered211AndShownOnTheWardWithinASecondOnceEvenWhenSentTwice()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        var line = await fixture.Hospital().LineAsync([("1011", ward.Beds[0], CallKinds.Normal), ("1012", ward.Beds[1], CallKinds.Bath)]);
        using var pty = await PtyPair.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(fixture.BaseAddress, Line(line, "tap", ["Serial", pty.A]));
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        using var port = new SerialPort(pty.B, 9600);
        port.Open();
        await using var nurseCall = new PrimarySystemEnd(port.BaseStream);

        await LogInOverTapAsync(nurseCall);
        var page = TapBlock("1011", "Room 11 bed call");
        var corrupted = page.Replace("bed", "bad", StringComparison.Ordinal);
        await nurseCall.SendAsync(corrupted);
        (await nurseCall.ReadUntilAsync($"{Nak}\r")).Should().Be($"{Nak}\r", "a block whose checksum does not match is asked for again");

        var sent = Stopwatch.StartNew();
        await nurseCall.SendAsync(page);
        (await nurseCall.ReadUntilAsync($"{Ack}\r")).Should().StartWith("211");
        var raised = await station.WaitForAsync(e => e.Type == EventTypes.CallRaised && e.Call!.BedId == ward.Beds[0].BedId,
            "the TAP page's call on the ward's station", TimeSpan.FromSeconds(1) - sent.Elapsed);
        Console.WriteLine($"TAP page written → call shown on the station: {sent.ElapsedMilliseconds} ms");
        raised.Call!.Kind.Should().Be(CallKinds.Normal);

        await nurseCall.SendAsync(page);
        (await nurseCall.ReadUntilAsync($"{Ack}\r")).Should().StartWith("211", "the same page sent again (its answer lost) is taken again");
        await nurseCall.SendAsync($"{Eot}\r");
        await nurseCall.ReadUntilAsync($"{Esc}{Eot}\r");

        var calls = await fixture.Hospital().QueryAsync<(string Kind, int RepeatCount)>(
            "SELECT kind, repeat_count FROM calls WHERE ward_id = @WardId", new { ward.WardId });
        calls.Should().Equal([(CallKinds.Normal, 0)], "the corrupted block made nothing and the page sent twice made one call, not repeated");
        (await fixture.Hospital().QueryAsync<string>(
            "SELECT action FROM audit_log WHERE actor_type = 'device' AND actor_id = @DeviceId", new { line.DeviceId }))
            .Should().Equal(["call_raised"], "the line is the call's actor");
    }

    [Fact]
    public async Task AnEspaCallOverTcpIsACallAtTheMappedBedOfTheKindItsTextSaysAndABadBccWritesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        var line = await fixture.Hospital().LineAsync([("201", ward.Beds[0], CallKinds.Normal), ("202", ward.Beds[1], CallKinds.Bath)],
            ("CODE BLUE", CallKinds.CodeBlue), ("RESET", null));
        var port = ExternalProcess.FreeLoopbackPort();
        await using var gateway = await GatewayProcess.StartAsync(fixture.BaseAddress, Line(line, "espa", ["Listen", $"127.0.0.1:{port}"]));
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        await using var nurseCall = await ConnectAsync(port);

        // The primary system is the control station: it selects Dispatch (address 2), which is ready.
        await nurseCall.SendAsync($"{Eot}2{Enq}");
        await nurseCall.ReadUntilAsync($"{Ack}");
        var bad = EspaCall("202", "Bath 2");
        await nurseCall.SendAsync(bad[..^1] + (char)(bad[^1] ^ 0x01));
        await nurseCall.ReadUntilAsync($"{Nak}");
        (await fixture.Hospital().CallIdsAsync(ward.WardId)).Should().BeEmpty("a block with a wrong BCC writes nothing");

        await nurseCall.SendAsync(bad);
        await nurseCall.ReadUntilAsync($"{Ack}");
        await nurseCall.SendAsync(EspaCall("201", "CODE BLUE room 1"));
        await nurseCall.ReadUntilAsync($"{Ack}");
        await nurseCall.SendAsync($"{Eot}");
        var bath = await station.WaitForAsync(e => e.Type == EventTypes.CallRaised && e.Call!.BedId == ward.Beds[1].BedId, "the bath call");
        bath.Call!.Kind.Should().Be(CallKinds.Bath, "address 202 is bed 2's bath pull cord");
        var code = await station.WaitForAsync(e => e.Type == EventTypes.CallRaised && e.Call!.BedId == ward.Beds[0].BedId, "the code blue");
        code.Call!.Kind.Should().Be(CallKinds.CodeBlue, "the text says CODE BLUE");

        // The primary system says the bath call ended: it is cleared, as at the bedside.
        await nurseCall.SendAsync($"{Eot}2{Enq}");
        await nurseCall.ReadUntilAsync($"{Ack}");
        await nurseCall.SendAsync(EspaCall("202", "RESET"));
        await nurseCall.ReadUntilAsync($"{Ack}");
        var cleared = await station.WaitForAsync(e => e.Type == EventTypes.CallResolved, "the bath call cleared");
        cleared.Call!.Id.Should().Be(bath.Call.Id);

        // An address the hospital file does not map is refused (the primary system's retries then fail loudly).
        await nurseCall.SendAsync(EspaCall("999", "Unknown"));
        await nurseCall.ReadUntilAsync($"{Nak}");
        await nurseCall.SendAsync($"{Eot}");
        (await fixture.Hospital().CallIdsAsync(ward.WardId)).Should().HaveCount(2);
    }

    [Fact]
    public async Task AnEspaControlStationGatewayPollsThePrimarySystemOnAPtyAndTakesTheCallItIsSelectedFor()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var line = await fixture.Hospital().LineAsync([("301", ward.Beds[0], CallKinds.StaffAssist)]);
        using var pty = await PtyPair.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync(fixture.BaseAddress,
            Line(line, "espa", ["Serial", pty.A, "EspaRole", "control", "PollIntervalMs", "200"]));
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        using var port = new SerialPort(pty.B, 9600);
        port.Open();
        await using var nurseCall = new PrimarySystemEnd(port.BaseStream);

        // Polled (EOT 1 ENQ) with nothing to send: EOT. Polled again: it selects Dispatch (2 ENQ) and sends its call.
        await nurseCall.ReadUntilAsync($"{Eot}1{Enq}");
        await nurseCall.SendAsync($"{Eot}");
        await nurseCall.ReadUntilAsync($"{Eot}1{Enq}");
        await nurseCall.SendAsync($"2{Enq}");
        await nurseCall.ReadUntilAsync($"{Ack}");
        await nurseCall.SendAsync(EspaCall("301", "Assist room 1"));
        await nurseCall.ReadUntilAsync($"{Ack}");
        await nurseCall.SendAsync($"{Eot}");

        var raised = await station.WaitForAsync(e => e.Type == EventTypes.CallRaised, "the call the polled system sent");
        raised.Call!.Kind.Should().Be(CallKinds.StaffAssist);
        await nurseCall.ReadUntilAsync($"{Eot}1{Enq}", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task ALineThatFallsSilentIsReportedToTheMaintenanceViewAndItsReturnClearsIt()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var line = await fixture.Hospital().LineAsync([("401", ward.Beds[0], CallKinds.Normal)]);
        var port = ExternalProcess.FreeLoopbackPort();
        await using var gateway = await GatewayProcess.StartAsync(fixture.BaseAddress, Line(line, "espa", ["Listen", $"127.0.0.1:{port}"]));
        var admin = await fixture.LoginAsync(await fixture.Hospital().StaffAsync("admin", null));

        await using (var nurseCall = await ConnectAsync(port))
        {
            // The control station's idle traffic: it selects Dispatch and ends at once.
            await nurseCall.SendAsync($"{Eot}2{Enq}");
            await nurseCall.ReadUntilAsync($"{Ack}");
            await nurseCall.SendAsync($"{Eot}");
            await Eventually.UntilAsync(async () => (await DeviceAsync(admin, line.DeviceId)).LastSeenAt is not null, "the line reported heard", TimeSpan.FromSeconds(5));
        }

        await Eventually.UntilAsync(async () => (await DeviceAsync(admin, line.DeviceId)).Silent, "the silent line on the maintenance view", TimeSpan.FromSeconds(10));
        (await fixture.Http.GetStringAsync("/metrics")).Should().MatchRegex(@"dispatch_lines_silent [1-9]");

        await using (var nurseCall = await ConnectAsync(port))
        {
            await nurseCall.SendAsync($"{Eot}2{Enq}");
            await nurseCall.ReadUntilAsync($"{Ack}");
            await Eventually.UntilAsync(async () => !(await DeviceAsync(admin, line.DeviceId)).Silent, "the line heard again", TimeSpan.FromSeconds(10));
        }
        (await fixture.Hospital().QueryAsync<string>(
            "SELECT action FROM audit_log WHERE actor_type = 'system' AND actor_id = @DeviceId ORDER BY id", new { line.DeviceId }))
            .Should().Equal("line_silent", "line_back");
    }

    [Fact]
    public async Task ANewConnectionToAListeningLineReplacesTheOldOneThatTheOtherEndLeftWithoutAWord()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var line = await fixture.Hospital().LineAsync([("701", ward.Beds[0], CallKinds.Normal)]);
        var port = ExternalProcess.FreeLoopbackPort();
        await using var gateway = await GatewayProcess.StartAsync(fixture.BaseAddress, Line(line, "espa", ["Listen", $"127.0.0.1:{port}"]));

        // The primary system's first connection, left open when it "reboots" (no FIN reaches the gateway).
        await using var before = await ConnectAsync(port);
        await before.SendAsync($"{Eot}2{Enq}");
        await before.ReadUntilAsync($"{Ack}");

        await using var after = await ConnectAsync(port);
        await after.SendAsync($"{Eot}2{Enq}");
        await after.ReadUntilAsync($"{Ack}");
        await after.SendAsync(EspaCall("701", "Bed call"));
        await after.ReadUntilAsync($"{Ack}");
        await after.SendAsync($"{Eot}");

        (await fixture.Hospital().CallIdsAsync(ward.WardId)).Should().ContainSingle("the new connection is served");
        var closed = () => before.ReadUntilAsync("never", TimeSpan.FromSeconds(5));
        await closed.Should().ThrowAsync<EndOfStreamException>("the old connection is closed by the gateway");
    }

    [Fact]
    public async Task TheLinesEndpointRefusesWhatIsWrongWithProblemDetailsAndWritesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 2);
        var line = await fixture.Hospital().LineAsync([("501", ward.Beds[0], CallKinds.Normal)]);

        foreach (var (key, body, status, says) in new (string?, object, HttpStatusCode, string)[]
        {
            (null, new { address = "501", text = "" }, HttpStatusCode.Unauthorized, "line's key"),
            ("not-a-line-key", new { address = "501", text = "" }, HttpStatusCode.Unauthorized, "not known"),
            (ward.Beds[0].DeviceKey, new { address = "501", text = "" }, HttpStatusCode.Unauthorized, "not known"),
            (line.Key, new { text = "no address" }, HttpStatusCode.BadRequest, "required field: 'address'"),
            (line.Key, new { address = new string('7', 33), text = "" }, HttpStatusCode.BadRequest, "at most 32"),
            (line.Key, new { address = "502", text = "" }, HttpStatusCode.NotFound, "not mapped"),
        })
        {
            using var response = await fixture.SendAsync(HttpMethod.Post, "/api/lines/messages", body: body, deviceKey: key);
            response.StatusCode.Should().Be(status, $"{body} with key {key ?? "none"}");
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
            (await response.Content.ReadAsStringAsync()).Should().Contain(says);
        }

        // The line's key raises only at the beds its addresses map, also through the bedside API.
        using (var elsewhere = await fixture.SendAsync(HttpMethod.Post, "/api/calls", body: new { bedId = ward.Beds[1].BedId, kind = CallKinds.Normal }, deviceKey: line.Key))
        {
            elsewhere.StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await elsewhere.Content.ReadAsStringAsync()).Should().Contain("maps no call address");
        }
        (await fixture.Hospital().CallIdsAsync(ward.WardId)).Should().BeEmpty();
    }

    private static Dictionary<string, IReadOnlyDictionary<string, string>> Line(TestLine line, string protocol, string[] settings)
    {
        var values = new Dictionary<string, string> { ["Protocol"] = protocol, ["Key"] = line.Key };
        for (var i = 0; i < settings.Length; i += 2)
        {
            values[settings[i]] = settings[i + 1];
        }
        return new() { ["test"] = values };
    }

    private static async Task LogInOverTapAsync(PrimarySystemEnd nurseCall)
    {
        // TAP: CR until "ID=" (every 2 s, the gateway may still be opening the port), then ESC PG1, answered ACK and ESC [p.
        for (var attempt = 0; ; attempt++)
        {
            await nurseCall.SendAsync("\r");
            try
            {
                await nurseCall.ReadUntilAsync("ID=", TimeSpan.FromSeconds(2));
                break;
            }
            catch (TimeoutException) when (attempt < 5)
            {
            }
        }
        await nurseCall.SendAsync($"{Esc}PG1\r");
        (await nurseCall.ReadUntilAsync($"{Esc}[p\r")).Should().Contain($"{Ack}\r", "the log-in is accepted");
    }

    private static async Task<PrimarySystemEnd> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        return new PrimarySystemEnd(client.GetStream());
    }

    private async Task<DeviceRow> DeviceAsync(string token, int deviceId)
    {
        using var response = await fixture.SendAsync(HttpMethod.Get, "/api/devices", token);
        return (await response.Content.ReadFromJsonAsync<List<DeviceRow>>())!.Single(d => d.Id == deviceId);
    }
}
