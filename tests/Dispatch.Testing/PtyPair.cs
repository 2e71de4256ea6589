using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>
/// Two pseudo-terminals joined back to back by socat, as a null-modem cable joins two serial
/// ports: what is written to one end is read at the other. Each end is a path a serial port opens.
/// </summary>
public sealed class PtyPair : IDisposable
{
    private readonly Process _socat;
    private readonly string _directory;

    private PtyPair(Process socat, string directory)
    {
        _socat = socat;
        _directory = directory;
    }

    public string A => Path.Combine(_directory, "a");
    public string B => Path.Combine(_directory, "b");

    public static async Task<PtyPair> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("dispatch-pty-").FullName;
        var socat = Process.Start(new ProcessStartInfo("socat",
            [$"pty,raw,echo=0,link={directory}/a", $"pty,raw,echo=0,link={directory}/b"]) { RedirectStandardError = true })
            ?? throw new InvalidOperationException("socat did not start (Debian's package socat; scripts/test.sh installs it).");
        var pair = new PtyPair(socat, directory);
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(pair.A) && File.Exists(pair.B)))
        {
            if (socat.HasExited || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                pair.Dispose();
                throw new InvalidOperationException($"socat made no pty pair: {await socat.StandardError.ReadToEndAsync()}");
            }
            await Task.Delay(20);
        }
        return pair;
    }

    public void Dispose()
    {
        if (!_socat.HasExited)
        {
            _socat.Kill();
            _socat.WaitForExit();
        }
        _socat.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
