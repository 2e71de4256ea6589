using System.Collections.Concurrent;
using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>A Dispatch.Gateway as a real OS process, configured through its environment as an operator would.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private GatewayProcess(Process process, Uri health)
    {
        _process = process;
        Health = health;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Its own /healthz and /metrics.</summary>
    public Uri Health { get; }

    /// <summary>What it has logged so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="server">Dispatch's API.</param>
    /// <param name="lines">Each line's settings (Protocol, Key, Listen/Serial …), as Gateway:Lines:NAME:SETTING.</param>
    /// <param name="paging">The paging server's link (Protocol, Key, Connect …), as Gateway:Paging:SETTING; none when null.</param>
    public static async Task<GatewayProcess> StartAsync(
        Uri server, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> lines, IReadOnlyDictionary<string, string>? paging = null)
    {
        var port = ExternalProcess.FreeLoopbackPort();
        var start = new ProcessStartInfo("dotnet", [Repository.BuiltAssembly("Dispatch.Gateway")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Gateway__ServerUrl"] = server.ToString(),
                ["Gateway__HeartbeatSeconds"] = "1",
                ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Dispatch"] = "Information",
            },
        };
        foreach (var (name, settings) in lines)
        {
            foreach (var (setting, value) in settings)
            {
                start.Environment[$"Gateway__Lines__{name}__{setting}"] = value;
            }
        }
        foreach (var (setting, value) in paging ?? new Dictionary<string, string>())
        {
            start.Environment[$"Gateway__Paging__{setting}"] = value;
        }
        var gateway = new GatewayProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        await ExternalProcess.WaitForPortAsync(port);
        return gateway;
    }

    public void Kill() => OwnedProcess.Kill(_process);

    public ValueTask DisposeAsync() => new(OwnedProcess.EndAsync(_process));
}
