using System.Globalization;
using Dispatch.Client;
using Dispatch.Contracts;

namespace Dispatch.Cli;

/// <summary>`dispatch watch`: a live board in the terminal, the ward's open calls, then every event as it arrives.</summary>
internal static class TerminalBoard
{
    public static async Task<int> RunAsync(Uri server, int wardId, string user, CancellationToken ct)
    {
        var session = await DispatchClient.SignInAsync(server, user, Secrets.Required(Secrets.Password), ct);
        await using var client = new DispatchClient(server, session.Token);
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
        if (Secrets.Optional(Secrets.StationKey) is { } stationKey)
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

    public static string Describe(CallView? call) => call is null
        ? ""
        : $"call {call.Id} room {call.Room}{call.Bed} {call.Kind}({call.Priority}) {call.Status}" +
          $"{(call.AssignedStaffName is null ? ", unassigned" : $" -> {call.AssignedStaffName}")}" +
          $"{(call.EscalationLevel > 0 ? $", escalation {call.EscalationLevel}" : "")}";

    private static string Describe(StationView station) =>
        $"station '{station.Name}', last seen {station.LastSeenAt?.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture) ?? "never"}";

    private static string Now() => DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
