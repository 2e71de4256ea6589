using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Dispatch.Testing;

/// <summary>
/// A Dispatch.Server node as a real OS process, so that a test can kill it with SIGKILL; with a
/// supervisor name, it runs under scripts/supervise.sh, which restarts it when it exits.
/// </summary>
public sealed partial class NodeProcess : ServerApi, IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<int> _exitCodes = new();
    private readonly ConcurrentQueue<string> _output = new();

    private NodeProcess(Process process, Uri baseAddress) : base(baseAddress) => _process = process;

    /// <summary>The exit codes the supervisor logged (supervised nodes only).</summary>
    public IReadOnlyList<int> SupervisedExitCodes => [.. _exitCodes];

    /// <summary>What the node printed (warnings and errors; the tests log at Warning).</summary>
    public IReadOnlyList<string> Output => [.. _output];

    /// <param name="connectionString">The node's database.</param>
    /// <param name="settings">Configuration keys ("Section:Key") and values, passed as environment variables.</param>
    /// <param name="supervisedAs">Run under scripts/supervise.sh with this name, which restarts the node when it exits.</param>
    /// <param name="waitUntilHealthy">Return once /healthz answers 200 (else at once, for a node expected to exit).</param>
    /// <param name="workingDirectory">Where it is started from: beside its binary unless said (scripts/run.sh starts it from the repository's root).</param>
    public static async Task<NodeProcess> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string> settings, string? supervisedAs = null, bool waitUntilHealthy = true,
        string? workingDirectory = null)
    {
        // A port found free can be taken before the node binds it (by any outgoing connection of a
        // busy test run): the node then aborts at start, and another port is tried.
        for (var attempt = 1; ; attempt++)
        {
            var node = await StartOnceAsync(connectionString, settings, supervisedAs, waitUntilHealthy, workingDirectory);
            if (node is not null || attempt == 3)
            {
                return node ?? throw new InvalidOperationException("No free port for the node after 3 tries.");
            }
        }
    }

    /// <summary>The node, or null when its port was taken before it could bind it.</summary>
    private static async Task<NodeProcess?> StartOnceAsync(
        string connectionString, IReadOnlyDictionary<string, string> settings, string? supervisedAs, bool waitUntilHealthy, string? workingDirectory)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{ExternalProcess.FreeLoopbackPort()}");
        var bin = Path.Combine(Repository.Root, "src", "Dispatch.Server", "bin", Repository.Configuration, "net10.0");
        string[] command = ["dotnet", Path.Combine(bin, "Dispatch.Server.dll"), "--urls", baseAddress.ToString()];
        var start = new ProcessStartInfo(
            supervisedAs is null ? command[0] : Path.Combine(Repository.Root, "scripts", "supervise.sh"),
            supervisedAs is null ? command[1..] : [supervisedAs, .. command])
        {
            WorkingDirectory = workingDirectory ?? bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Database__ConnectionString"] = connectionString,
                ["Relay__WardHeartbeatSeconds"] = "1",
                ["Logging__LogLevel__Default"] = "Information",
                ["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ",
            },
        };

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        var node = new NodeProcess(process, baseAddress);
        process.OutputDataReceived += (_, line) => node.Record(line.Data);
        process.ErrorDataReceived += (_, line) => node.Record(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (waitUntilHealthy)
        {
            try
            {
                await node.WaitUntilHealthyAsync();
            }
            catch
            {
                // A node that never became healthy must not outlive the test.
                await node.DisposeAsync();
                if (node.Output.Any(line => line.Contains("address already in use", StringComparison.Ordinal)))
                {
                    return null;
                }
                throw;
            }
        }
        return node;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
        if (SupervisorExit().Match(line) is { Success: true } exit)
        {
            _exitCodes.Enqueue(int.Parse(exit.Groups[1].Value, CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Waits for an unsupervised node to exit by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    [GeneratedRegex(@"exited with code (\d+)")]
    private static partial Regex SupervisorExit();

    /// <summary>SIGTERM, as systemd or Ctrl+C would send; returns once the process has exited.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", $"{_process.Id}"]))
        {
            await kill.WaitForExitAsync();
        }
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>SIGTERM to a supervised node itself (not its supervisor, which restarts it 1 s after it exits).</summary>
    public async Task TerminateUnderSupervisorAsync()
    {
        using var kill = Process.Start("pkill", ["-TERM", "-P", $"{_process.Id}"])!;
        await kill.WaitForExitAsync();
    }

    public void Kill() => OwnedProcess.Kill(_process);

    public async ValueTask DisposeAsync()
    {
        await OwnedProcess.EndAsync(_process);
        Http.Dispose();
    }

    /// <summary>Another process with nothing to await: ask /healthz until it answers 200 (bounded); also after a supervised restart.</summary>
    public async Task WaitUntilHealthyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                _process.WaitForExit(); // its output, read asynchronously, to the end
                throw new InvalidOperationException($"The node exited with code {_process.ExitCode} while starting. Its last output:{Environment.NewLine}" +
                    string.Join(Environment.NewLine, Output.TakeLast(40)));
            }
            try
            {
                // Each probe is bounded too, so that a node that accepts and never answers cannot stretch the wait.
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var response = await Http.GetAsync("/healthz", probe.Token);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or not answering yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The node at {BaseAddress} did not become healthy in 30 s. Its last output:{Environment.NewLine}" +
            string.Join(Environment.NewLine, Output.TakeLast(40)));
    }
}
