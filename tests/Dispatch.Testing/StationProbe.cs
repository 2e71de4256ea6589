using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Dispatch.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Testing;

/// <summary>
/// A nurse station on a real SignalR WebSocket connection: subscribes to a ward and records every
/// event it receives, in arrival order, so tests can assert exactly-once and in-order delivery.
/// </summary>
public sealed class StationProbe : IAsyncDisposable
{
    private readonly ConcurrentQueue<WardEvent> _events = new();
    private readonly ConcurrentQueue<TimeSpan> _latencies = new();
    private readonly ConcurrentQueue<WardHeartbeat> _heartbeats = new();
    private readonly SemaphoreSlim _heartbeatArrived = new(0);
    private readonly List<(Func<WardEvent, bool> Match, TaskCompletionSource<WardEvent> Arrived)> _waiters = [];
    private readonly Lock _gate = new();

    private StationProbe(HubConnection connection) => Connection = connection;

    public HubConnection Connection { get; }
    public WardSnapshot Snapshot { get; private set; } = null!;
    public IReadOnlyList<WardEvent> Events => [.. _events];

    /// <summary>Per event received: from its creation in the database to its arrival here (one machine, one clock).</summary>
    public IReadOnlyList<TimeSpan> Latencies => [.. _latencies];

    /// <summary>
    /// A hub connection over WebSockets. With <paramref name="source"/> it leaves from that loopback
    /// address (127.0.N.x): nginx's ip_hash keys on the first three octets, so stations from
    /// different /24s spread over the nodes as a hospital's subnets would.
    /// </summary>
    /// <param name="baseAddress">The node, or nginx (http or https).</param>
    /// <param name="token">The staff session.</param>
    /// <param name="source">The loopback address to leave from.</param>
    /// <param name="trust">Over https: which server certificates to accept (the test's own, self-signed).</param>
    public static HubConnection Connect(Uri baseAddress, string? token, IPAddress? source = null, Func<X509Certificate?, bool>? trust = null) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, DispatchHubMethods.Route), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
                if (source is not null)
                {
                    options.WebSocketFactory = LoopbackSource.WebSocketFactory(source, token);
                }
                if (trust is not null)
                {
                    options.WebSocketConfiguration = socket => socket.RemoteCertificateValidationCallback = (_, certificate, _, _) => trust(certificate);
                }
            })
            .Build();

    public static async Task<StationProbe> SubscribeAsync(
        Uri baseAddress, string token, int wardId, IPAddress? source = null, Func<X509Certificate?, bool>? trust = null)
    {
        var probe = new StationProbe(Connect(baseAddress, token, source, trust));
        probe.Connection.On<WardEvent>(nameof(IDispatchClient.WardEvent), probe.Record);
        probe.Connection.On<WardHeartbeat>(nameof(IDispatchClient.WardHeartbeat), heartbeat =>
        {
            probe._heartbeats.Enqueue(heartbeat);
            probe._heartbeatArrived.Release();
        });
        await probe.Connection.StartAsync();
        probe.Snapshot = await probe.Connection.InvokeAsync<WardSnapshot>(DispatchHubMethods.Subscribe, wardId);
        return probe;
    }

    /// <summary>Waits for an event matching <paramref name="match"/> (already received or still to come).</summary>
    public async Task<WardEvent> WaitForAsync(Func<WardEvent, bool> match, string what, TimeSpan? timeout = null)
    {
        var arrived = new TaskCompletionSource<WardEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var seen = _events.FirstOrDefault(match);
            if (seen is not null)
            {
                return seen;
            }
            _waiters.Add((match, arrived));
        }
        try
        {
            return await arrived.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The station did not receive {what}; it received: " +
                string.Join(", ", _events.Select(e => $"{e.Type}#{e.Seq}(call {e.CallId})")));
        }
    }

    /// <summary>
    /// Waits for a ward heartbeat at or past <paramref name="seq"/>: everything up to it has been
    /// pushed, so an event shown twice would have arrived by then.
    /// </summary>
    public async Task WaitForHeartbeatAtAsync(int wardId, long seq)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!_heartbeats.Any(h => h.WardId == wardId && h.Seq >= seq))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _heartbeatArrived.WaitAsync(left))
            {
                throw new TimeoutException($"No heartbeat of ward {wardId} at sequence {seq} arrived.");
            }
        }
    }

    private void Record(WardEvent wardEvent)
    {
        _latencies.Enqueue(DateTimeOffset.UtcNow - wardEvent.At);
        lock (_gate)
        {
            _events.Enqueue(wardEvent);
            foreach (var waiter in _waiters.Where(w => w.Match(wardEvent)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Arrived.TrySetResult(wardEvent);
            }
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
