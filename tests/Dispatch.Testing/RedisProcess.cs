using System.Diagnostics;
using System.Net.Sockets;

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
        // Another process: try its port until it accepts (bounded).
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
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
