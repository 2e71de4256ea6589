using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

/// <summary>The systemd units in deploy/systemd, checked by systemd's own parser.</summary>
public sealed class DeploymentUnitTests
{
    private static readonly string s_units = Path.Combine(Repository.Root, "deploy", "systemd");

    [Theory]
    [InlineData("dispatch-server@.service", "5081", "Dispatch.Server")]
    [InlineData("dispatch-bridge@.service", "0", "Dispatch.Bridge")]
    [InlineData("dispatch-gateway.service", null, "Dispatch.Gateway")]
    public async Task EachUnitParsesCleanlyRestartsItsProcessAlwaysAndStartsTheShippedAssembly(string template, string? instance, string assembly)
    {
        // systemd-analyze verify needs an instance of a template unit.
        var scratch = Directory.CreateTempSubdirectory("dispatch-units-");
        try
        {
            var unit = Path.Combine(scratch.FullName, instance is null ? template : template.Replace("@.", $"@{instance}.", StringComparison.Ordinal));
            File.Copy(Path.Combine(s_units, template), unit);

            var (_, output) = await ExternalProcess.RunAsync("systemd-analyze", scratch.FullName, "verify", "--man=no", unit);

            // Parse errors start with "FILE:LINE:"; a host without /opt/dispatch or /usr/bin/dotnet adds other lines.
            output.Split('\n').Where(line => line.StartsWith(unit + ":", StringComparison.Ordinal)).Should().BeEmpty();
            var text = await File.ReadAllTextAsync(unit);
            text.Should().Contain("\nRestart=always\n", "the supervisor restarts a node the memory watchdog drained (exit 75) or that crashed");
            text.Should().MatchRegex($@"\nExecStart=\S*dotnet \S+/{assembly}\.dll");
            File.Exists(Path.Combine(Repository.Root, "src", assembly, "bin", Repository.Configuration, "net10.0", $"{assembly}.dll"))
                .Should().BeTrue($"the unit starts {assembly}.dll, which this repository builds");
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }
}
