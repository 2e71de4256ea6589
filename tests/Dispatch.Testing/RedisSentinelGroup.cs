using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>
/// Redis as a hospital would run it for failover: a primary, a replica of it, and three
/// sentinels watching them (redis-server --sentinel), on loopback. Nodes connect through the
/// sentinels (<see cref="Configuration"/>); a test can kill -9 the primary and wait for a sentinel
/// to promote the replica.
/// </summary>
public sealed class RedisSentinelGroup : IAsyncDisposable
{
    public const string ServiceName = "dispatch";
    private readonly string _folder = Directory.CreateTempSubdirectory("dispatch-sentinel-").FullName;
    private readonly List<Process> _processes = [];
    private readonly int[] _sentinelPorts = [ExternalProcess.FreeLoopbackPort(), ExternalProcess.FreeLoopbackPort(), ExternalProcess.FreeLoopbackPort()];

    private RedisSentinelGroup()
    {
    }

    public int PrimaryPort { get; } = ExternalProcess.FreeLoopbackPort();
    public int ReplicaPort { get; } = ExternalProcess.FreeLoopbackPort();
    public Process Primary => _processes[0];

    /// <summary>Realtime:Redis for the nodes: the sentinels and the service name, as StackExchange.Redis takes them.</summary>
    public string Configuration => string.Join(",", _sentinelPorts.Select(p => $"127.0.0.1:{p}")) + $",serviceName={ServiceName}";

    public static async Task<RedisSentinelGroup> StartAsync()
    {
        var group = new RedisSentinelGroup();
        try
        {
            group.Start("redis-server", "--port", $"{group.PrimaryPort}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no");
            group.Start("redis-server", "--port", $"{group.ReplicaPort}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--replicaof", "127.0.0.1", $"{group.PrimaryPort}");
            foreach (var port in group._sentinelPorts)
            {
                // A sentinel rewrites its own file, so each has one.
                var config = Path.Combine(group._folder, $"sentinel-{port}.conf");
                await File.WriteAllTextAsync(config, $"""
                    port {port}
                    bind 127.0.0.1
                    sentinel monitor {ServiceName} 127.0.0.1 {group.PrimaryPort} 2
                    sentinel down-after-milliseconds {ServiceName} 1000
                    sentinel failover-timeout {ServiceName} 5000
                    sentinel parallel-syncs {ServiceName} 1
                    """);
                group.Start("redis-server", config, "--sentinel");
            }
            foreach (var port in new[] { group.PrimaryPort, group.ReplicaPort }.Concat(group._sentinelPorts))
            {
                await ExternalProcess.WaitForPortAsync(port);
            }
            await group.WaitUntilReadyToFailOverAsync();
            return group;
        }
        catch
        {
            await group.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Until every sentinel knows the replica and the two other sentinels: a primary lost before
    /// that is never replaced (no replica to promote, or no quorum). Sentinels learn of a replica
    /// from the primary's INFO, every 10 s, so on a busy machine this can take a while (bounded).
    /// </summary>
    private async Task WaitUntilReadyToFailOverAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            var ready = true;
            foreach (var port in _sentinelPorts)
            {
                var (_, output) = await ExternalProcess.RunAsync("redis-cli", _folder, "-p", $"{port}", "SENTINEL", "master", ServiceName);
                var fields = output.Split('\n', StringSplitOptions.TrimEntries);
                string Field(string name) => fields.SkipWhile(f => f != name).Skip(1).FirstOrDefault() ?? "0";
                ready &= Field("num-slaves") != "0" && Field("num-other-sentinels") == "2";
            }
            if (ready)
            {
                return;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The sentinels did not learn of the replica and of each other within 30 s.");
    }

    /// <summary>Which port the sentinels name as the primary now.</summary>
    public async Task<int> PrimaryNamedBySentinelsAsync()
    {
        var (_, output) = await ExternalProcess.RunAsync("redis-cli", _folder, "-p", $"{_sentinelPorts[0]}",
            "SENTINEL", "get-master-addr-by-name", ServiceName);
        return int.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public void KillPrimary() => Primary.Kill(entireProcessTree: true);

    private void Start(string file, params string[] arguments)
    {
        var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            process.Dispose();
        }
        Directory.Delete(_folder, recursive: true);
    }
}
