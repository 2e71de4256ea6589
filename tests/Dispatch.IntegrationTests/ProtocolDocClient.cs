using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using Dispatch.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.IntegrationTests;

/// <summary>
/// A station client written from docs/protocol.md alone ("Writing your own station client"), on
/// the official SignalR client and not on Dispatch.Client: the conformance tests run it beside the
/// shipped clients, so a rule the docs leave out shows up as a failure here. Method names are
/// written as the docs give them, as an outside team would.
/// </summary>
public sealed partial class ProtocolDocClient : IAsyncDisposable
{
    private const int ResyncPageSize = 1_000;
    private readonly HubConnection _connection;
    // Handlers only queue work; one loop does it in order. A handler that waited here would hold up
    // the connection's receive loop, and with it the answer to the Subscribe being waited for.
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new() { SingleReader = true });
    private readonly Dictionary<int, long> _last = [];
    private readonly ConcurrentQueue<WardEvent> _shown = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _worker;

    /// <param name="server">The front door (nginx) or a node.</param>
    /// <param name="token">A staff session token.</param>
    /// <param name="configure">Transport settings a test adds (the source address a connection leaves from).</param>
    public ProtocolDocClient(Uri server, string token, Action<HttpConnectionOptions>? configure = null)
    {
        _connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server, "/hubs/dispatch"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                configure?.Invoke(options);
            })
            .WithAutomaticReconnect(new RetryForever())
            .Build();
        _connection.On<WardEvent>("WardEvent", e => Post(() => ApplyAsync(e)));
        _connection.On<WardHeartbeat>("WardHeartbeat", h => Post(() => _last.TryGetValue(h.WardId, out var last) && h.Seq > last ? ResyncAsync(h.WardId) : Task.CompletedTask));
        _connection.Reconnected += _ =>
        {
            Post(ResumeAsync);
            return Task.CompletedTask;
        };
        _worker = WorkAsync();
    }

    /// <summary>What the station showed, in the order it showed it.</summary>
    public IReadOnlyList<WardEvent> Shown => [.. _shown];

    public Task StartAsync() => _connection.StartAsync();

    /// <summary>Subscribe; from the snapshot, or showing the ward's events after <paramref name="after"/> first. Returns the snapshot's sequence.</summary>
    public Task<long> SubscribeAsync(int wardId, long? after) => RunAsync(async () =>
    {
        var snapshot = await _connection.InvokeAsync<WardSnapshot>("Subscribe", wardId);
        _last[wardId] = after ?? snapshot.Seq;
        if (after is not null)
        {
            await ResyncAsync(wardId);
        }
        return snapshot.Seq;
    });

    public Task AcknowledgeAsync(long callId) => _connection.InvokeAsync<CallView>("Acknowledge", callId);

    /// <summary>The sentence after "HubException: " in a refused invocation's error, before its " [code]" (docs/protocol.md).</summary>
    public static string? RefusalSentence(Exception error) => Refusal(error)?.Groups["sentence"].Value;

    /// <summary>The code in brackets that ends a refused invocation's error (docs/protocol.md).</summary>
    public static string? RefusalCode(Exception error) => Refusal(error)?.Groups["code"].Value;

    private static Match? Refusal(Exception error) =>
        error is HubException && RefusalText().Match(error.Message) is { Success: true } match ? match : null;

    [GeneratedRegex(@"HubException: (?<sentence>.*) \[(?<code>[a-z_]+)\]$", RegexOptions.Singleline)]
    private static partial Regex RefusalText();

    public async Task WaitForShownAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_shown.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrived.WaitAsync(left))
            {
                throw new TimeoutException($"The station showed {_shown.Count} of {count} events.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _connection.DisposeAsync();
        await _worker;
    }

    /// <summary>The sequence rule: a duplicate is dropped, the next is shown, a gap is repaired first.</summary>
    private async Task ApplyAsync(WardEvent e)
    {
        if (!_last.TryGetValue(e.WardId, out var last) || e.Seq <= last)
        {
            return;
        }
        if (e.Seq > last + 1)
        {
            await ResyncAsync(e.WardId);
            return;
        }
        _last[e.WardId] = e.Seq;
        _shown.Enqueue(e);
        _arrived.Release();
    }

    /// <summary>One resync at a time (this loop does one thing at a time); live events wait behind it.</summary>
    private async Task ResyncAsync(int wardId)
    {
        WardEvent[] page;
        do
        {
            page = await _connection.InvokeAsync<WardEvent[]>("Resync", wardId, _last[wardId]);
            foreach (var e in page)
            {
                await ApplyAsync(e);
            }
        }
        while (page.Length == ResyncPageSize);
    }

    /// <summary>After a reconnect: Subscribe again (keeping the board), then resync from the last sequence shown.</summary>
    private async Task ResumeAsync()
    {
        foreach (var wardId in _last.Keys.ToList())
        {
            await _connection.InvokeAsync<WardSnapshot>("Subscribe", wardId);
            await ResyncAsync(wardId);
        }
    }

    private void Post(Func<Task> work) => _work.Writer.TryWrite(work);

    private Task<T> RunAsync<T>(Func<Task<T>> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(async () =>
        {
            try
            {
                done.TrySetResult(await work());
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        });
        return done.Task;
    }

    private async Task WorkAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            try
            {
                await work();
            }
            catch (Exception e) when (e is HubException or InvalidOperationException or OperationCanceledException)
            {
                // The link dropped mid-resync: the reconnect resumes from the last sequence shown.
            }
        }
    }

    /// <summary>docs/protocol.md's schedule: forever, a random wait up to min(30 s, 500 ms × 2^n).</summary>
    private sealed class RetryForever : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) =>
            TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Min(30_000, 500 * Math.Pow(2, Math.Min(retryContext.PreviousRetryCount, 20))));
    }
}
