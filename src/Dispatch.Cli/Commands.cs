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
              dispatch watch --ward ID --user NAME [--server URL]              password in DISPATCH_PASSWORD
              dispatch raise --bed ID --kind KIND [--server URL]               device key in DISPATCH_DEVICE_KEY
            kinds: code_blue, staff_emergency, staff_assist, bath, normal, trouble
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
        client.EventReceived += e => Console.WriteLine($"{Now()}  #{e.Seq,-5} {e.Type,-14} {Describe(e.Call)}");
        client.EscalatedToMe += e => Console.WriteLine($"{Now()}  ESCALATED TO YOU (ward {e.WardId}): {Describe(e.Call)}");

        await client.StartAsync(ct);
        var snapshot = await client.SubscribeAsync(wardId, ct);
        Console.WriteLine($"Signed in as {session.DisplayName}. Ward {wardId} at sequence {snapshot.Seq}, {snapshot.Calls.Count} open calls:");
        foreach (var call in snapshot.Calls)
        {
            Console.WriteLine($"{"",14}{Describe(call)}");
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

    private static string Now() => DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
}
