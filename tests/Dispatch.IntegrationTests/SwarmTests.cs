using System.Globalization;
using System.Text.RegularExpressions;
using Dispatch.Testing;
using Dispatch.Server.Sessions;

namespace Dispatch.IntegrationTests;

/// <summary>The load generator, as shipped (the dispatch CLI as a process), against the cluster behind nginx.</summary>
[Collection(ClusterCollection.Name)]
public sealed partial class SwarmTests(ClusterFixture fixture)
{
    [Fact]
    public async Task FiveHundredStationsThroughNginxGetEveryCallOnceAndTheSwarmPassesItsThresholds()
    {
        var cluster = fixture.Cluster;
        var wards = new List<TestWard>();
        for (var w = 0; w < 4; w++)
        {
            wards.Add(await cluster.Hospital().WardAsync(nurses: 2, beds: 3));
        }
        var admin = await cluster.Hospital().StaffAsync(StaffUser.Admin, wardId: null);
        var devices = Path.GetTempFileName();
        await File.WriteAllLinesAsync(devices, wards.SelectMany(w => w.Beds.SelectMany(b => new[] { $"BED_{b.BedId}_WARD={w.WardId}", $"BED_{b.BedId}_KEY={b.DeviceKey}" })));
        try
        {
            var cli = Path.Combine(Repository.Root, "src", "Dispatch.Cli", "bin", Repository.Configuration, "net10.0", "dispatch.dll");
            var (exitCode, output) = await ExternalProcess.RunAsync("dotnet", Repository.Root,
                new Dictionary<string, string> { ["DISPATCH_PASSWORD"] = admin.Password },
                cli, "swarm", "--server", cluster.Nginx.BaseAddress.ToString(), "--user", admin.Username, "--devices", devices,
                "--nodes", $"{cluster.NodeA.BaseAddress},{cluster.NodeB.BaseAddress}",
                "--stations", "500", "--calls-per-second", "10", "--seconds", "5", "--max-failed", "0", "--max-lost", "0");

            Console.WriteLine(output);
            exitCode.Should().Be(0, output);
            var result = Result().Match(output);
            result.Success.Should().BeTrue(output);
            Figure(result, "connected").Should().Be(500);
            Figure(result, "raised").Should().Be(50);
            Figure(result, "delivered").Should().Be(Figure(result, "expected")).And.Be(50 * 125, "each call reaches the 125 stations of its ward");
            Figure(result, "lost").Should().Be(0);
            Figure(result, "duplicated").Should().Be(0);
            Figure(result, "wire_duplicates").Should().Be(0, "the bridge hands no batch twice without a fault");
            Figure(result, "wire_out_of_order").Should().Be(0);
            Decimal(result, "raise_p50_ms").Should().BePositive("each raise's own answer (the call stored and assigned) is timed");
            Decimal(result, "raise_p99_ms").Should().BeGreaterThanOrEqualTo(Decimal(result, "raise_p50_ms"));
            Decimal(result, "push_p99_ms").Should().BeGreaterThanOrEqualTo(Decimal(result, "push_p50_ms"))
                .And.BeLessThan(Decimal(result, "p99_ms"), "the push is what follows the raise's answer, so less than press → station");
            var heapKib = Decimal(result, "heap_kib_per_connection");
            heapKib.Should().BeInRange(1, 1024, "each node's live heap after a full GC, per idle station, is measured (POST /api/node/heap)");
            NodeStations().Matches(result.Groups["nodes"].Value).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))
                .Should().HaveCount(2).And.OnlyContain(n => n > 0, "ip_hash spreads the swarm's eight /24s over both nodes");
        }
        finally
        {
            File.Delete(devices);
        }
    }

    private static long Figure(Match result, string name) =>
        long.Parse(Regex.Match(result.Value, $@"\b{name}=(\d+)\b").Groups[1].Value, CultureInfo.InvariantCulture);

    private static double Decimal(Match result, string name) =>
        double.Parse(Regex.Match(result.Value, $@"\b{name}=(-?[\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^RESULT .*per_node=(?<nodes>\S+).*$", RegexOptions.Multiline)]
    private static partial Regex Result();

    [GeneratedRegex(@"\d+:(\d+)")]
    private static partial Regex NodeStations();
}
