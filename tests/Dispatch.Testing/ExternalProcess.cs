using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Dispatch.Testing;

/// <summary>Runs the real tools the project ships configuration for (promtool, prometheus).</summary>
public static class ExternalProcess
{
    public static Task<(int ExitCode, string Output)> RunAsync(string fileName, string workingDirectory, params string[] arguments) =>
        RunAsync(fileName, workingDirectory, new Dictionary<string, string>(), arguments);

    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>Waits (bounded, 10 s) until another process accepts connections on a loopback port.</summary>
    public static async Task WaitForPortAsync(int port)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (System.Net.Sockets.SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(50);
            }
        }
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
