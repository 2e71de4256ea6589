using System.Diagnostics;

namespace Dispatch.Testing;

/// <summary>How the tests end a process they started: killed with its children, waited for, released.</summary>
internal static class OwnedProcess
{
    /// <summary>SIGKILL, as a crash or kill -9 would end it.</summary>
    public static void Kill(Process process)
    {
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    public static async Task EndAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
    }
}
