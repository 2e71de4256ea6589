using System.Diagnostics;
using System.Text.Json;

namespace Dispatch.Testing;

/// <summary>A Dispatch.Bridge as a real OS process, so that a test can kill it with SIGKILL.</summary>
public sealed class BridgeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http;

    private BridgeProcess(Process process, string endpoint, Uri health)
    {
        _process = process;
        Endpoint = endpoint;
        _http = new HttpClient { BaseAddress = health };
    }

    public string Endpoint { get; }
    public bool HasExited => _process.HasExited;

    /// <param name="connectionString">The cluster's database.</param>
    /// <param name="secretKey">The bridges' CurveZMQ secret key (Z85).</param>
    /// <param name="nodes">Each node's name and CurveZMQ public key (Z85): the nodes the bridge sends to.</param>
    public static BridgeProcess Start(string connectionString, string secretKey, IReadOnlyDictionary<string, string> nodes)
    {
        var endpoint = $"tcp://127.0.0.1:{ExternalProcess.FreeLoopbackPort()}";
        var health = new Uri($"http://127.0.0.1:{ExternalProcess.FreeLoopbackPort()}");
        var start = new ProcessStartInfo("dotnet", [Repository.BuiltAssembly("Dispatch.Bridge")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["Database__ConnectionString"] = connectionString,
                ["Bridge__Endpoint"] = endpoint,
                ["Bridge__AckTimeoutMs"] = "1000",
                ["Bridge__WardHeartbeatSeconds"] = "1",
                ["ASPNETCORE_URLS"] = health.ToString(),
                ["Logging__LogLevel__Default"] = "Warning",
                ["Bridge__SecretKey"] = secretKey,
            },
        };
        foreach (var (name, publicKey) in nodes)
        {
            start.Environment[$"Bridge__Nodes__{name}"] = publicKey;
        }
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new BridgeProcess(process, endpoint, health);
    }

    /// <summary>The bridge's own /healthz: leading or standby, and how many nodes it hears.</summary>
    public async Task<(string Status, int LiveNodes)?> HealthAsync()
    {
        try
        {
            using var body = JsonDocument.Parse(await _http.GetStringAsync("/healthz"));
            return (body.RootElement.GetProperty("status").GetString()!, body.RootElement.GetProperty("live_nodes").GetInt32());
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>A metric of the bridge's /metrics, summed over its series.</summary>
    public Task<double> MetricAsync(string name) => MetricsText.SumAsync(_http, series => series.Split('{')[0] == name);

    public void Kill() => OwnedProcess.Kill(_process);

    public async ValueTask DisposeAsync()
    {
        await OwnedProcess.EndAsync(_process);
        _http.Dispose();
    }
}
