using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Contracts;

namespace Dispatch.Client;

/// <summary>
/// A refusal or failure answered by the Dispatch API, with the sentence of its problem-details
/// body (what was wrong; a refused request changed nothing).
/// </summary>
public sealed class DispatchApiException(HttpStatusCode statusCode, string detail)
    : HttpRequestException($"{(int)statusCode} {detail}", null, statusCode)
{
    /// <summary>The server's sentence, as a person should read it.</summary>
    public string Detail { get; } = detail;
}

/// <summary>
/// The REST calls of the Dispatch API (docs/api.md) that bed devices, nurses and tools make:
/// sign in, raise and cancel a call at the bedside, a device's heartbeat, acknowledge, and the
/// polling fallback. The live board is <see cref="DispatchClient"/>. Thread-safe; one per server.
/// </summary>
public sealed class DispatchApi : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="server">The server (or nginx in front of the cluster), e.g. http://127.0.0.1:5080.</param>
    public DispatchApi(Uri server) => _http = new HttpClient { BaseAddress = server };

    /// <summary>Signs a staff member in and returns the session (its token authenticates the hub and staff requests).</summary>
    public async Task<LoginResponse> SignInAsync(string username, string password, CancellationToken cancellationToken = default) =>
        await SendAsync<LoginResponse>(HttpMethod.Post, "/api/sessions", new LoginRequest(username, password), Anonymous, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// What a bed's call button does: raises a call of <paramref name="kind"/> (see <see cref="CallKinds"/>)
    /// with the bed device's key. With an <paramref name="idempotencyKey"/> (one per press), sending
    /// the same press again after an unclear answer returns the call it raised.
    /// </summary>
    public async Task<CallView> RaiseCallAsync(int bedId, string kind, string deviceKey, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        await SendAsync<CallView>(HttpMethod.Post, "/api/calls", new RaiseCallRequest(bedId, kind, Nonce: null), headers =>
        {
            headers.Add(DispatchHeaders.DeviceKey, deviceKey);
            if (idempotencyKey is not null)
            {
                headers.Add(DispatchHeaders.IdempotencyKey, idempotencyKey);
            }
        }, cancellationToken).ConfigureAwait(false);

    /// <summary>Clears a call at its bed, with the bed device's key.</summary>
    public async Task<CallView> CancelCallAsync(long callId, string deviceKey, CancellationToken cancellationToken = default) =>
        await SendAsync<CallView>(HttpMethod.Post, $"/api/calls/{callId}/cancel", content: null, DeviceKey(deviceKey), cancellationToken).ConfigureAwait(false);

    /// <summary>A bed device is alive; a device that reported once and falls silent gets a trouble call at its bed.</summary>
    public async Task DeviceHeartbeatAsync(string deviceKey, CancellationToken cancellationToken = default) =>
        await SendAsync<object>(HttpMethod.Post, "/api/devices/heartbeat", content: null, DeviceKey(deviceKey), cancellationToken).ConfigureAwait(false);

    /// <summary>Acknowledges a call as the signed-in staff member: its escalation stops.</summary>
    public async Task<CallView> AcknowledgeAsync(long callId, string sessionToken, CancellationToken cancellationToken = default) =>
        await SendAsync<CallView>(HttpMethod.Post, $"/api/calls/{callId}/ack", content: null, Bearer(sessionToken), cancellationToken).ConfigureAwait(false);

    /// <summary>The ward's events after <paramref name="afterSeq"/>, at most one page (the HTTP fallback of the hub's Resync).</summary>
    public async Task<IReadOnlyList<WardEvent>> EventsAfterAsync(int wardId, long afterSeq, string sessionToken, CancellationToken cancellationToken = default) =>
        await SendAsync<List<WardEvent>>(HttpMethod.Get, $"/api/events?ward={wardId}&after={afterSeq}", content: null, Bearer(sessionToken), cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Releases the HTTP connections.</summary>
    public void Dispose() => _http.Dispose();

    private static void Anonymous(HttpRequestHeaders headers)
    {
    }

    private static Action<HttpRequestHeaders> DeviceKey(string key) => headers => headers.Add(DispatchHeaders.DeviceKey, key);

    private static Action<HttpRequestHeaders> Bearer(string token) => headers => headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? content, Action<HttpRequestHeaders> authenticate, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content is null ? null : JsonContent.Create(content) };
        authenticate(request.Headers);
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new DispatchApiException(response.StatusCode, await DetailAsync(response, ct).ConfigureAwait(false));
        }
        return response.StatusCode == HttpStatusCode.NoContent
            ? default!
            : (await response.Content.ReadFromJsonAsync<T>(ct).ConfigureAwait(false))!;
    }

    /// <summary>The problem-details sentence, or the body as it came (a proxy's page, say).</summary>
    private static async Task<string> DetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("detail", out var detail)
                && detail.GetString() is { Length: > 0 } sentence)
            {
                return sentence;
            }
        }
        catch (JsonException)
        {
            // Not problem details.
        }
        return body.Length > 0 ? body : response.ReasonPhrase ?? "no answer";
    }
}
