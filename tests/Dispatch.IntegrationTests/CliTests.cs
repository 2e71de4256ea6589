using System.Globalization;
using Dispatch.Contracts;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>The dispatch command, as shipped (its built dll as a process), against a real server.</summary>
[Collection(DispatchCollection.Name)]
public sealed class CliTests(DispatchFixture fixture)
{
    private static readonly string s_cli = Path.Combine(Repository.Root, "src", "Dispatch.Cli", "bin", Repository.Configuration, "net10.0", "dispatch.dll");

    [Fact]
    public async Task AMistypedOptionIsAnErrorThatNamesItAndNothingRuns()
    {
        var (exitCode, output) = await RunAsync([], "swarm", "--stations", "1", "--seconds", "1", "--devices", "/nonexistent", "--max-p99ms", "250");

        exitCode.Should().NotBe(0);
        output.Should().Contain("'--max-p99ms'", "the typo is named").And.Contain("--max-p99-ms", "the option meant is suggested")
            .And.NotContain("Signing in", "nothing runs on a command line with an error");
    }

    [Fact]
    public async Task ABedsButtonItsHeartbeatAndANursesAcknowledgeFromTheCommandLineReachTheServer()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        var bed = ward.Beds[0];
        var device = new Dictionary<string, string> { ["DISPATCH_DEVICE_KEY"] = bed.DeviceKey };

        var raised = await RunAsync(device, "raise", "--bed", bed.BedId.ToString(CultureInfo.InvariantCulture), "--kind", CallKinds.StaffAssist);
        raised.ExitCode.Should().Be(0, raised.Output);
        var callId = (await fixture.Hospital().CallIdsAsync(ward.WardId)).Should().ContainSingle().Which;
        raised.Output.Should().Contain($"call {callId} ").And.Contain($"{CallKinds.StaffAssist}(").And.Contain(CallStatuses.Open);

        var heartbeat = await RunAsync(device, "heartbeat");
        heartbeat.ExitCode.Should().Be(0, heartbeat.Output);
        (await fixture.ScalarAsync<long>("SELECT COUNT(*) FROM devices WHERE key_hash = UNHEX(SHA2(@Key, 256)) AND last_heartbeat_at IS NOT NULL",
            new { Key = bed.DeviceKey })).Should().Be(1, "the heartbeat is recorded against the bed's device");

        var login = await RunAsync(new Dictionary<string, string> { ["DISPATCH_PASSWORD"] = ward.Nurses[0].Password }, "login", "--user", ward.Nurses[0].Username);
        login.ExitCode.Should().Be(0, login.Output);
        var token = login.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).First(); // stdout (the token) comes before stderr

        var acknowledged = await RunAsync(new Dictionary<string, string> { ["DISPATCH_TOKEN"] = token }, "ack", "--call", callId.ToString(CultureInfo.InvariantCulture));
        acknowledged.ExitCode.Should().Be(0, acknowledged.Output);
        acknowledged.Output.Should().Contain($"call {callId} ").And.Contain(CallStatuses.Accepted);
    }

    [Fact]
    public async Task ARefusedRaiseExitsWithTheServersSentenceAndRaisesNothing()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);

        var (exitCode, output) = await RunAsync(new Dictionary<string, string> { ["DISPATCH_DEVICE_KEY"] = "not-a-key" },
            "raise", "--bed", ward.Beds[0].BedId.ToString(CultureInfo.InvariantCulture), "--kind", CallKinds.Normal);

        exitCode.Should().Be(1);
        output.Should().Contain("401").And.Contain("The device key is not known.").And.NotContain("   at ", "a refusal is a sentence, not a stack trace");
        (await fixture.Hospital().CallIdsAsync(ward.WardId)).Should().BeEmpty();
    }

    [Fact]
    public async Task TheSimulatedNurseCallSystemSendsACallThroughTheGatewayAndTheSimulatedPagingServerPrintsTheNursesPage()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await fixture.Hospital().SetPagerAsync(ward.Nurses[0], "7" + ward.WardId.ToString(CultureInfo.InvariantCulture));
        await fixture.Hospital().AssignBedAsync(ward.Beds[0], ward.Nurses[0], isPrimary: true);
        var line = await fixture.Hospital().LineAsync([("601", ward.Beds[0], CallKinds.Normal)]);
        var paging = await fixture.Hospital().PagingLineAsync();
        var (linePort, pagingPort) = (ExternalProcess.FreeLoopbackPort(), ExternalProcess.FreeLoopbackPort());

        // dispatch page listen: the paging server, printing what it gets.
        var printed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var listener = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet",
            [s_cli, "page", "listen", "--protocol", "tap", "--listen", $"127.0.0.1:{pagingPort}"]) { RedirectStandardOutput = true })!;
        listener.OutputDataReceived += (_, e) => { if (e.Data is not null) printed.Enqueue(e.Data); };
        listener.BeginOutputReadLine();
        try
        {
            await ExternalProcess.WaitForPortAsync(pagingPort);
            await using var gateway = await GatewayProcess.StartAsync(fixture.BaseAddress,
                new Dictionary<string, IReadOnlyDictionary<string, string>>
                {
                    ["nurse_call"] = new Dictionary<string, string> { ["Protocol"] = "espa", ["Key"] = line.Key, ["Listen"] = $"127.0.0.1:{linePort}" },
                },
                new Dictionary<string, string> { ["Protocol"] = "tap", ["Key"] = paging.Key, ["Connect"] = $"127.0.0.1:{pagingPort}", ["PollMs"] = "200" });

            var sent = await RunAsync([], "espa", "send", "--to", $"127.0.0.1:{linePort}", "--address", "601", "--text", "Bed call 601");
            sent.ExitCode.Should().Be(0, sent.Output);
            sent.Output.Should().Contain("accepted");
            var call = (await fixture.Hospital().QueryAsync<(string Room, string Bed)>("""
                SELECT r.name, b.label FROM calls c JOIN beds b ON b.id = c.bed_id JOIN rooms r ON r.id = b.room_id WHERE c.ward_id = @WardId
                """, new { ward.WardId })).Should().ContainSingle().Which;
            var wardName = (await fixture.Hospital().QueryAsync<string>("SELECT name FROM wards WHERE id = @WardId", ward)).Single();
            await Eventually.UntilAsync(() => printed.Any(l => l.EndsWith($"page to 7{ward.WardId}: Patient call room {call.Room} bed {call.Bed}, {wardName}",
                StringComparison.Ordinal)), "the nurse's page printed by dispatch page listen", TimeSpan.FromSeconds(5));

            var refused = await RunAsync([], "espa", "send", "--to", $"127.0.0.1:{linePort}", "--address", "602");
            refused.ExitCode.Should().Be(1, "address 602 is not mapped: the gateway answers NAK");
            refused.Output.Should().Contain("not accepted");
        }
        finally
        {
            listener.Kill();
            await listener.WaitForExitAsync();
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string> environment, params string[] arguments) =>
        ExternalProcess.RunAsync("dotnet", Repository.Root, environment, [s_cli, .. arguments, "--server", fixture.BaseAddress.ToString()]);
}
