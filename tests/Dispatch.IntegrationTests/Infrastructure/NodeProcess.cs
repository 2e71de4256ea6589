using System.Diagnostics;

namespace Dispatch.IntegrationTests.Infrastructure;

/// <summary>A Dispatch.Server node as a real OS process, so that a test can kill it with SIGKILL.</summary>
public sealed class NodeProcess : ServerApi, IAsyncDisposable
{
    private readonly Process _process;

    private NodeProcess(Process process, Uri baseAddress) : base(baseAddress) => _process = process;

    public static async Task<NodeProcess> StartAsync(string connectionString, IReadOnlyDictionary<string, string> settings)
    {
        var baseAddress = new Uri($"http://127.0.0.1:{ExternalProcess.FreeLoopbackPort()}");
        var bin = Path.Combine(Repository.Root, "src", "Dispatch.Server", "bin", Repository.Configuration, "net10.0");
        var start = new ProcessStartInfo("dotnet", [Path.Combine(bin, "Dispatch.Server.dll"), "--urls", baseAddress.ToString()])
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Database__ConnectionString"] = connectionString,
                ["Relay__WardHeartbeatSeconds"] = "1",
                ["Logging__LogLevel__Default"] = "Warning",
            },
        };

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var node = new NodeProcess(process, baseAddress);
        await node.WaitUntilHealthyAsync();
        return node;
    }

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

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Http.Dispose();
    }

    /// <summary>Another process with nothing to await: ask /healthz until it answers (bounded).</summary>
    private async Task WaitUntilHealthyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The node exited with code {_process.ExitCode} while starting.");
            }
            try
            {
                using var response = await Http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The node at {BaseAddress} did not become healthy in 30 s.");
    }
}
