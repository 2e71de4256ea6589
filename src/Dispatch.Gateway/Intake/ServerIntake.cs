using System.Net;
using Dispatch.Contracts;
using Dispatch.Lines;

namespace Dispatch.Gateway.Intake;

/// <summary>
/// One line's messages and heartbeats to Dispatch's API, authenticated by the line's key:
/// POST /api/lines/messages (the server maps the address to a bed and raises or clears its call)
/// and POST /api/devices/heartbeat (the line is being heard).
/// </summary>
public sealed partial class ServerIntake(HttpClient http, string lineName, string lineKey, RetransmitMemory memory, GatewayMetrics metrics, ILogger logger)
    : IMessageSink
{
    public async Task<IntakeOutcome> DeliverAsync(string address, string text, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/lines/messages")
        {
            Content = JsonContent.Create(new LineMessageRequest(address, text)),
        };
        request.Headers.Add(DispatchHeaders.DeviceKey, lineKey);
        request.Headers.Add(DispatchHeaders.IdempotencyKey, memory.KeyFor(address, text));
        var outcome = IntakeOutcome.NotTaken;
        try
        {
            using var response = await http.SendAsync(request, ct);
            outcome = response.StatusCode switch
            {
                HttpStatusCode.OK or HttpStatusCode.Created => IntakeOutcome.Taken,
                >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => IntakeOutcome.NotTaken,
                _ => IntakeOutcome.Refused,
            };
            if (outcome == IntakeOutcome.Taken)
            {
                var result = await response.Content.ReadFromJsonAsync<LineMessageResult>(ct);
                Log.Taken(logger, lineName, address, result?.Outcome ?? "?", string.Join(",", result?.Calls.Select(c => c.Id) ?? []));
            }
            else
            {
                Log.NotTaken(logger, lineName, address, (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            Log.Unreachable(logger, lineName, address, e.Message);
        }
        metrics.MessageIn(lineName, outcome);
        return outcome;
    }

    public void ChecksumFailed() => metrics.ChecksumError(lineName);

    public async Task HeartbeatAsync(CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/devices/heartbeat");
        request.Headers.Add(DispatchHeaders.DeviceKey, lineKey);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            Log.HeartbeatRefused(logger, lineName, (int)response.StatusCode);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4100, LogLevel.Information, "Line '{Line}': address {Address} {Outcome} (calls {Calls})")]
        public static partial void Taken(ILogger logger, string line, string address, string outcome, string calls);

        [LoggerMessage(4101, LogLevel.Warning, "Line '{Line}': address {Address} not taken by the server ({Status}): {Problem}")]
        public static partial void NotTaken(ILogger logger, string line, string address, int status, string problem);

        [LoggerMessage(4102, LogLevel.Warning, "Line '{Line}': address {Address} not taken, the server is unreachable: {Reason}")]
        public static partial void Unreachable(ILogger logger, string line, string address, string reason);

        [LoggerMessage(4103, LogLevel.Warning, "Line '{Line}': the server refused its heartbeat ({Status}); is its key right?")]
        public static partial void HeartbeatRefused(ILogger logger, string line, int status);
    }
}
