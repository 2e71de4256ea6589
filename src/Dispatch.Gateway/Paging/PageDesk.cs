using Dispatch.Contracts;

namespace Dispatch.Gateway.Paging;

/// <summary>The server's side of paging, over its API with the paging link's key: pages to send, and each reported answered.</summary>
public sealed class PageDesk(HttpClient http, string key)
{
    public async Task<IReadOnlyList<PageToSend>> ClaimAsync(CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, "api/pages/claim");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<List<PageToSend>>(ct) ?? [];
    }

    public async Task ReportSentAsync(long pageId, CancellationToken ct)
    {
        using var request = Request(HttpMethod.Post, $"api/pages/{pageId}/sent");
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add(DispatchHeaders.DeviceKey, key);
        return request;
    }
}
