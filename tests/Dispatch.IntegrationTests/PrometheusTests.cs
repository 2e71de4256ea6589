using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Dispatch.Testing;

namespace Dispatch.IntegrationTests;

[Collection(DispatchCollection.Name)]
public sealed class PrometheusTests(DispatchFixture fixture)
{
    private static readonly string s_rules = Path.Combine(AppContext.BaseDirectory, "ops", "prometheus");

    [Fact]
    public async Task TheAlertRulesAreValidAndFireAboveTheirThresholdsOnly()
    {
        var check = await ExternalProcess.RunAsync("promtool", s_rules, "check", "rules", "alerts.yml");
        var unitTests = await ExternalProcess.RunAsync("promtool", s_rules, "test", "rules", "alerts.test.yml");

        check.ExitCode.Should().Be(0, check.Output);
        check.Output.Should().Contain("SUCCESS: 15 rules found");
        unitTests.ExitCode.Should().Be(0, unitTests.Output);
    }

    [Fact]
    public async Task ARealPrometheusScrapesTheNodeAndFindsEveryDocumentedMetricWithSaneValues()
    {
        var ward = await fixture.Hospital().WardAsync(nurses: 1, beds: 1);
        await using var station = await StationProbe.SubscribeAsync(fixture.BaseAddress, await fixture.LoginAsync(ward.Nurses[0]), ward.WardId);
        await fixture.RaiseCallAsync(ward.Beds[0]);
        var folder = Directory.CreateTempSubdirectory("dispatch-prometheus-").FullName;
        var port = ExternalProcess.FreeLoopbackPort();
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: dispatch-server
                static_configs:
                  - targets: ["{fixture.BaseAddress.Authority}"]
            """);
        using var prometheus = Process.Start(new ProcessStartInfo("prometheus",
            ["--config.file=prometheus.yml", "--storage.tsdb.path=data", $"--web.listen-address=127.0.0.1:{port}"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

            var values = new Dictionary<string, double>();
            foreach (var name in new[] { "ws_connections", "memory_usage_percent", "pending_calls_count", "avg_assign_time_ms", "failed_assignments_rate", "poll_duration_avg" })
            {
                values[name] = await QueryOnceScrapedAsync(http, name);
            }

            values["ws_connections"].Should().BeGreaterThanOrEqualTo(1, "a station is connected");
            values["memory_usage_percent"].Should().BeInRange(0.001, 100);
            values["pending_calls_count"].Should().BeGreaterThanOrEqualTo(1, "a call is waiting");
            values["avg_assign_time_ms"].Should().BeGreaterThan(0, "calls have been raised");
            values["failed_assignments_rate"].Should().BeInRange(0, 1);
            values["poll_duration_avg"].Should().BeGreaterThan(0, "the relay polls the outbox");
            (await QueryOnceScrapedAsync(http, "sum(dispatch_delivery_latency_seconds_count)")).Should().BeGreaterThanOrEqualTo(1);

            // Every panel of the Grafana dashboard is a query this Prometheus answers with data from this node.
            using var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "ops", "grafana", "dashboard.json")));
            var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
                .SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Select(target => target.GetProperty("expr").GetString()!))
                .ToList();
            expressions.Should().HaveCountGreaterThanOrEqualTo(8);
            foreach (var expression in expressions.Where(e => !e.Contains("histogram_quantile", StringComparison.Ordinal)))
            {
                await QueryOnceScrapedAsync(http, expression);
            }
            // A quantile over a 5-minute rate has no value until two scrapes are in; the histogram it reads is checked above.
            foreach (var expression in expressions.Where(e => e.Contains("histogram_quantile", StringComparison.Ordinal)))
            {
                (await http.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(expression)}")).Should().Contain("\"status\":\"success\"", expression);
            }
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// Prometheus is another process with nothing to await: ask its query API until the first
    /// scrape has landed (bounded), and fail naming the metric if it never does.
    /// </summary>
    private static async Task<double> QueryOnceScrapedAsync(HttpClient prometheus, string query)
    {
        var deadline = Stopwatch.StartNew();
        string? last = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                last = await prometheus.GetStringAsync($"/api/v1/query?query={Uri.EscapeDataString(query)}");
                var result = JsonDocument.Parse(last).RootElement.GetProperty("data").GetProperty("result");
                if (result.GetArrayLength() > 0)
                {
                    return double.Parse(result[0].GetProperty("value")[1].GetString()!, CultureInfo.InvariantCulture);
                }
            }
            catch (HttpRequestException)
            {
                // Prometheus is still starting.
            }
            await Task.Delay(250);
        }
        throw new TimeoutException($"Prometheus never returned '{query}'; last answer: {last}");
    }
}
