using Dispatch.Testing;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.IntegrationTests;

/// <summary>A node started as scripts/run.sh starts it (from the repository's root), its log read line by line.</summary>
public sealed class LogHygieneTests
{
    [Fact]
    public async Task ANodeStartedFromTheRepositoryRootNeverLogsATokenAndLogsARefusalAsOneLine()
    {
        await using var database = await ScratchDatabase.CreateAsync();
        await database.Migrations.UpAsync(CancellationToken.None);
        var ward = await new HospitalBuilder(database.DataSource).WardAsync(nurses: 1, beds: 0);
        var other = await new HospitalBuilder(database.DataSource).WardAsync(nurses: 1, beds: 0);
        // As run.sh: the repository's root is the working directory (the node still reads the
        // appsettings.json beside its binary: its content root is pinned there).
        await using var node = await NodeProcess.StartAsync(database.ConnectionString, new Dictionary<string, string>(), workingDirectory: Repository.Root);
        var token = await node.LoginAsync(ward.Nurses[0]);

        // The hub as a browser reaches it: the token in the query string (a browser cannot set a WebSocket's headers).
        await using (var station = new HubConnectionBuilder()
            .WithUrl(new Uri(node.BaseAddress, $"/hubs/dispatch?access_token={token}"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
            })
            .Build())
        {
            await station.StartAsync();
            await station.InvokeAsync<object>("Subscribe", ward.WardId);
            for (var i = 0; i < 20; i++)
            {
                await station.Invoking(s => s.InvokeAsync<object>("Subscribe", other.WardId)).Should().ThrowAsync<HubException>();
            }
        }
        (await node.SendAsync(HttpMethod.Get, "/api/staff/me/calls", token)).EnsureSuccessStatusCode();

        var log = node.Output;
        log.Where(line => line.Contains(token, StringComparison.Ordinal) || line.Contains("access_token", StringComparison.Ordinal))
            .Should().BeEmpty("no log line may carry a session token");
        log.Count(line => line.Contains("is not your ward", StringComparison.Ordinal)).Should().Be(20, "each refusal is one line");
        log.Where(line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal)).Should().BeEmpty("a refusal is not a stack trace");
        log.Where(line => line.Contains("info: Polly", StringComparison.Ordinal)).Should().BeEmpty(
            "the appsettings.json beside the binary was read though the node started elsewhere (it keeps Polly at Warning)");
    }
}
