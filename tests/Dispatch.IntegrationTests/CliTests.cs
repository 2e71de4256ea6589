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

    private Task<(int ExitCode, string Output)> RunAsync(Dictionary<string, string> environment, params string[] arguments) =>
        ExternalProcess.RunAsync("dotnet", Repository.Root, environment, [s_cli, .. arguments, "--server", fixture.BaseAddress.ToString()]);
}
