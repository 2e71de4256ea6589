using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dispatch.Contracts;

namespace Dispatch.Testing;

/// <summary>What a test does over HTTP to a running node, wherever it runs (in the test process or its own).</summary>
public abstract class ServerApi(Uri baseAddress)
{
    public Uri BaseAddress { get; } = baseAddress;
    public HttpClient Http { get; } = new() { BaseAddress = baseAddress };

    public async Task<string> LoginAsync(TestStaff staff)
    {
        using var response = await Http.PostAsJsonAsync("/api/sessions", new LoginRequest(staff.Username, staff.Password));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LoginResponse>())!.Token;
    }

    /// <summary>The node's live hub connections, from GET /ws-health.</summary>
    public async Task<long> HubConnectionsAsync()
    {
        using var body = JsonDocument.Parse(await Http.GetStringAsync("/ws-health"));
        return body.RootElement.GetProperty("connections").GetInt64();
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? token = null, object? body = null, string? deviceKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new("Bearer", token);
        }
        if (deviceKey is not null)
        {
            request.Headers.Add(DispatchHeaders.DeviceKey, deviceKey);
        }
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, object? body = null, string? deviceKey = null)
    {
        using var request = Request(method, path, token, body, deviceKey);
        return await Http.SendAsync(request);
    }

    /// <summary>Presses the bed's call button: POST /api/calls with the bed device's key (and the press's Idempotency-Key).</summary>
    public async Task<HttpResponseMessage> RaiseAsync(TestBed bed, string kind = CallKinds.Normal, string? idempotencyKey = null)
    {
        using var request = Request(HttpMethod.Post, "/api/calls", body: new { bedId = bed.BedId, kind }, deviceKey: bed.DeviceKey);
        if (idempotencyKey is not null)
        {
            request.Headers.Add(DispatchHeaders.IdempotencyKey, idempotencyKey);
        }
        return await Http.SendAsync(request);
    }

    /// <summary>Raises a call that must be accepted, and returns it.</summary>
    public async Task<CallView> RaiseCallAsync(TestBed bed, string kind = CallKinds.Normal)
    {
        using var response = await RaiseAsync(bed, kind);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException(
                $"Raising a {kind} call at bed {bed.BedId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        return (await response.Content.ReadFromJsonAsync<CallView>())!;
    }
}
