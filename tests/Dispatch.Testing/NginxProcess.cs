using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>Real nginx in front of two nodes, from the repository's nginx/dispatch.conf.template; its API is the cluster's front door.</summary>
public sealed class NginxProcess : ServerApi, IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _prefix;

    private NginxProcess(Process process, string prefix, Uri baseAddress) : base(baseAddress)
    {
        _process = process;
        _prefix = prefix;
    }

    public static NginxProcess Start(Uri nodeA, Uri nodeB)
    {
        var prefix = Directory.CreateTempSubdirectory("dispatch-nginx-").FullName;
        var listen = $"127.0.0.1:{ExternalProcess.FreeLoopbackPort()}";
        var config = File.ReadAllText(Path.Combine(Repository.Root, "nginx", "dispatch.conf.template"))
            .Replace("{{PREFIX}}", prefix, StringComparison.Ordinal)
            .Replace("{{LISTEN}}", listen, StringComparison.Ordinal)
            .Replace("{{NODE_A}}", nodeA.Authority, StringComparison.Ordinal)
            .Replace("{{NODE_B}}", nodeB.Authority, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), config);
        var process = Process.Start(new ProcessStartInfo("/usr/sbin/nginx",
            ["-p", prefix, "-c", Path.Combine(prefix, "nginx.conf"), "-e", Path.Combine(prefix, "error.log"), "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        return new NginxProcess(process, prefix, new Uri($"http://{listen}"));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_prefix, recursive: true);
    }
}
