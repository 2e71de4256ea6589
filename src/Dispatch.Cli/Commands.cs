using System.Globalization;
using System.Net.Http.Json;
using Dispatch.Client;
using Dispatch.Contracts;

namespace Dispatch.Cli;

internal static class Commands
{
    public static int Usage()
    {
        Console.Error.WriteLine("""
            usage:
              dispatch login --user NAME [--server URL]                        password in DISPATCH_PASSWORD; prints a session token
              dispatch watch --ward ID --user NAME [--server URL]              password in DISPATCH_PASSWORD;
                                                                               a station screen's key in DISPATCH_STATION_KEY (optional)
              dispatch raise --bed ID --kind KIND [--server URL]               device key in DISPATCH_DEVICE_KEY
              dispatch ack --call ID [--server URL]                            session token in DISPATCH_TOKEN
              dispatch swarm --stations N --calls-per-second M --seconds T --devices FILE
                             [--user admin] [--subnets 8] [--nodes URL,URL] [--server URL]
                             [--max-failed 0] [--max-lost 0] [--max-p99-ms MS]   password in DISPATCH_PASSWORD
                             (--calls-per-second 0 holds the stations idle for --seconds)
              dispatch poll --screens N --seconds T --devices FILE [--interval-ms 500] [--user admin] [--server URL]
                             the legacy polling model, for comparison          password in DISPATCH_PASSWORD
            kinds: code_blue, staff_emergency, staff_assist, bath, normal, trouble
            The server defaults to http://127.0.0.1:5080 (nginx in scripts/run.sh --cluster).
            """);
        return 2;
    }

    /// <summary>A live board in the terminal: the ward's open calls, then every event as it arrives.</summary>
    public static async Task<int> WatchAsync(Arguments args, CancellationToken ct)
    {
        var wardId = args.RequiredInt("ward");
        var session = await DispatchClient.SignInAsync(args.Server, args.Required("user"), Arguments.Secret("DISPATCH_PASSWORD"), ct);
        await using var client = new DispatchClient(args.Server, session.Token);
        client.StateChanged += state => Console.WriteLine($"{Now()}  connection: {state}");
        client.ErrorOccurred += e => Console.Error.WriteLine($"{Now()}  {e.Message} (will retry)");
        client.EventReceived += e => Console.WriteLine($"{Now()}  #{e.Seq,-5} {e.Type,-14} {(e.Station is { } station ? Describe(station) : Describe(e.Call))}");
        client.EscalatedToMe += e => Console.WriteLine($"{Now()}  ESCALATED TO YOU (ward {e.WardId}): {Describe(e.Call)}");

        await client.StartAsync(ct);
        var snapshot = await client.SubscribeAsync(wardId, ct);
        Console.WriteLine($"Signed in as {session.DisplayName}. Ward {wardId} at sequence {snapshot.Seq}, {snapshot.Calls.Count} open calls:");
        foreach (var call in snapshot.Calls)
        {
            Console.WriteLine($"{"",14}{Describe(call)}");
        }
        foreach (var station in snapshot.SilentStations)
        {
            Console.WriteLine($"{"",14}SILENT {Describe(station)}");
        }
        // A terminal that serves as a ward's station screen says which one, so that its ward is told if it goes dark.
        if (Environment.GetEnvironmentVariable("DISPATCH_STATION_KEY") is { Length: > 0 } stationKey)
        {
            var station = await client.IdentifyStationAsync(stationKey, ct);
            Console.WriteLine($"This terminal is the screen of station '{station.Name}'.");
        }
        Console.WriteLine("Watching; Ctrl+C stops.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C.
        }
        return 0;
    }

    /// <summary>Signs in and prints the session token, for DISPATCH_TOKEN: export DISPATCH_TOKEN=$(dispatch login --user NAME).</summary>
    public static async Task<int> LoginAsync(Arguments args, CancellationToken ct)
    {
        var session = await DispatchClient.SignInAsync(args.Server, args.Required("user"), Arguments.Secret("DISPATCH_PASSWORD"), ct);
        Console.Error.WriteLine($"Signed in as {session.DisplayName} ({session.Role}) until {session.ExpiresAt:u}.");
        Console.WriteLine(session.Token);
        return 0;
    }

    /// <summary>Acknowledges a call as the signed-in nurse: its escalation stops.</summary>
    public static async Task<int> AcknowledgeAsync(Arguments args, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = args.Server };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/calls/{args.RequiredInt("call")}/ack");
        request.Headers.Authorization = new("Bearer", Arguments.Secret("DISPATCH_TOKEN"));
        using var response = await http.SendAsync(request, ct);
        Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return response.IsSuccessStatusCode ? 0 : 1;
    }

    /// <summary>The load generator (see <see cref="Swarm"/>); exits with 1 when a threshold is missed.</summary>
    public static async Task<int> SwarmAsync(Arguments args, CancellationToken ct)
    {
        var settings = new SwarmSettings(
            args.Server,
            [.. args.Optional("nodes", "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => new Uri(n))],
            args.RequiredInt("stations"),
            args.Number("calls-per-second", 10),
            args.RequiredInt("seconds"),
            args.Int("subnets", 8),
            args.Optional("user", "admin"),
            Arguments.Secret("DISPATCH_PASSWORD"),
            DeviceFile.Read(args.Required("devices")),
            new SwarmThresholds(args.Int("max-failed", 0), args.Int("max-lost", 0), args.OptionalNumber("max-p99-ms")));
        if (settings.Stations < 1 || settings.Seconds < 1 || settings.Subnets is < 1 or > 254)
        {
            throw new ArgumentException("--stations and --seconds must be at least 1, --subnets between 1 and 254.");
        }
        using var swarm = new Swarm(settings, Console.Error);
        var report = await swarm.RunAsync(ct);
        Console.Write(report.Text());
        Console.WriteLine(report.ResultLine());
        return report.Passed ? 0 : 1;
    }

    /// <summary>What a bed's call button does: raises a call with the bed device's key.</summary>
    public static async Task<int> RaiseAsync(Arguments args, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = args.Server };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calls")
        {
            Content = JsonContent.Create(new { bedId = args.RequiredInt("bed"), kind = args.Required("kind") }),
        };
        request.Headers.Add("X-Device-Key", Arguments.Secret("DISPATCH_DEVICE_KEY"));
        using var response = await http.SendAsync(request, ct);
        Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        return response.IsSuccessStatusCode ? 0 : 1;
    }

    private static string Describe(CallView? call) => call is null
        ? ""
        : $"call {call.Id} room {call.Room}{call.Bed} {call.Kind}({call.Priority}) {call.Status}" +
          $"{(call.AssignedStaffName is null ? ", unassigned" : $" -> {call.AssignedStaffName}")}" +
          $"{(call.EscalationLevel > 0 ? $", escalation {call.EscalationLevel}" : "")}";

    private static string Describe(StationView station) =>
        $"station '{station.Name}', last seen {station.LastSeenAt?.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "never"}";

    private static string Now() => DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
