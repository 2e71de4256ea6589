using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>A redis-server of a test's own, which the test can stop and start again on the same port.</summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private Process? _process;

    private RedisProcess(int port) => Port = port;

    public int Port { get; }
    public string Address => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync()
    {
        var redis = new RedisProcess(ExternalProcess.FreeLoopbackPort());
        await redis.StartAgainAsync();
        return redis;
    }

    public async Task StartAgainAsync()
    {
        _process = Process.Start(new ProcessStartInfo("redis-server",
            ["--port", $"{Port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        await ExternalProcess.WaitForPortAsync(Port);
    }

    public async Task StopAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
