using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Dispatch.Contracts;

namespace Dispatch.Cli;

/// <summary>
/// One swarm station on a bare WebSocket (<see cref="WireSocket"/>) speaking SignalR's JSON protocol
/// (docs/protocol.md: skip negotiation, handshake, <c>Subscribe</c>, pings), with no
/// <c>HubConnection</c>: a generator that costs little beside the server it measures (records
/// read in place, as they arrive).
/// It counts what arrives at the wire before anything is dropped: an event pushed twice (a
/// duplicate) or one that skips a sequence (out of order). It does not reconnect: a drop is
/// counted, and the events it misses are lost.
/// </summary>
internal sealed class RawStation(WireSocket socket, int wardId, Action<long, long> callRaisedAt, TimeSpan? keepAlive = null) : IAsyncDisposable
{
    private const string SubscribeId = "subscribe";

    private static readonly byte[] s_handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");
    private static readonly byte[] s_ping = Encoding.UTF8.GetBytes("{\"type\":6}\u001e");

    private readonly TaskCompletionSource _subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeSpan _keepAlive = keepAlive ?? TimeSpan.FromSeconds(10);
    private readonly CancellationTokenSource _stopping = new();
    private Task _keepingAlive = Task.CompletedTask;
    private long _snapshot = -1;
    private long _lastPushed = -1;
    private long _wireDuplicates;
    private long _wireOutOfOrder;
    private byte[] _partial = [];
    private int _partialLength;
    private Task _receiving = Task.CompletedTask;
    private volatile bool _closing;

    /// <summary>Pushed events that arrived with a sequence this station already had.</summary>
    public long WireDuplicates => Interlocked.Read(ref _wireDuplicates);

    /// <summary>Pushed events that arrived with earlier ones missing.</summary>
    public long WireOutOfOrder => Interlocked.Read(ref _wireOutOfOrder);

    /// <summary>Set when the connection ended before the swarm closed it.</summary>
    public event Action? Dropped;

    /// <summary>Handshakes, subscribes to the ward and returns once the snapshot's sequence is known.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        await socket.SendTextAsync(s_handshake, ct);
        _receiving = ReceiveAsync();
        var subscribe = Encoding.UTF8.GetBytes($"{{\"type\":1,\"invocationId\":\"{SubscribeId}\",\"target\":\"{DispatchHubMethods.Subscribe}\",\"arguments\":[{wardId}]}}\u001e");
        await socket.SendTextAsync(subscribe, ct);
        // A receive loop that failed unexpectedly says why here rather than leaving Subscribe unanswered.
        await await Task.WhenAny(_subscribed.Task, _receiving).WaitAsync(ct);
        await _subscribed.Task;
        _keepingAlive = KeepAliveAsync(_stopping.Token);
    }

    /// <summary>
    /// A ping every keep-alive period (10 s; within the server's 30 s client timeout) on the
    /// station's own timer, as a client library does (SignalR's clients ping after 15 s without
    /// sending, and a subscribed station sends nothing else). Its first falls at a random point of
    /// the period, as screens switched on at different times do: stations connected in the same
    /// second do not all ping in one burst. A send that fails is the station gone; its receive
    /// counts the drop.
    /// </summary>
    private async Task KeepAliveAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(Random.Shared.NextDouble() * _keepAlive, ct);
            using var timer = new PeriodicTimer(_keepAlive);
            do
            {
                await socket.SendTextAsync(s_ping, ct);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            // Closing, or gone.
        }
    }

    private async Task ReceiveAsync()
    {
        try
        {
            while (true)
            {
                var text = await socket.ReceiveTextAsync(CancellationToken.None);
                if (text.IsEmpty)
                {
                    Drop();
                    return;
                }
                Read(text.Span, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            Drop(e);
        }
    }

    /// <summary>
    /// Reads the records that <paramref name="text"/> ends, in place; a record's start that arrived
    /// without its end waits in the station's own buffer (grown only for a record that does not fit).
    /// </summary>
    private void Read(ReadOnlySpan<byte> text, long at)
    {
        for (var end = text.IndexOf(WireFrames.RecordSeparator); end >= 0; end = text.IndexOf(WireFrames.RecordSeparator))
        {
            if (_partialLength == 0)
            {
                Handle(WireFrames.Read(text[..end]), at);
            }
            else
            {
                Keep(text[..end]);
                Handle(WireFrames.Read(_partial.AsSpan(0, _partialLength)), at);
                _partialLength = 0;
            }
            text = text[(end + 1)..];
        }
        Keep(text);
    }

    private void Keep(ReadOnlySpan<byte> part)
    {
        if (_partialLength + part.Length > _partial.Length)
        {
            Array.Resize(ref _partial, Math.Max(_partial.Length * 2, _partialLength + part.Length));
        }
        part.CopyTo(_partial.AsSpan(_partialLength));
        _partialLength += part.Length;
    }

    private void Handle(WireFrame frame, long at)
    {
        switch (frame.Kind)
        {
            case WireFrame.Completion when frame.InvocationId == SubscribeId:
                if (frame.Error is not null)
                {
                    _subscribed.TrySetException(new InvalidOperationException($"Subscribe({wardId}) refused: {frame.Error}"));
                    return;
                }
                _snapshot = frame.Seq;
                _subscribed.TrySetResult();
                break;
            case WireFrame.Invocation when frame.WardEvent:
                Observe(frame, at);
                break;
            case WireFrame.Close:
                _subscribed.TrySetException(new InvalidOperationException($"The server closed the connection: {frame.Error}"));
                break;
        }
    }

    /// <summary>
    /// A ward's pushes come in sequence order, so one at or below the last pushed is a resend. One
    /// at or below the snapshot's sequence that was not pushed before is the overlap the protocol
    /// allows (docs/protocol.md, order of operations), before or after Subscribe returns: the
    /// event was committed before the snapshot was read and pushed after. Once the snapshot is in,
    /// a push past the next sequence skipped one.
    /// </summary>
    private void Observe(WireFrame frame, long at)
    {
        if (frame.Seq <= _lastPushed)
        {
            Interlocked.Increment(ref _wireDuplicates);
            return;
        }
        if (_subscribed.Task.IsCompleted && frame.Seq > Math.Max(_lastPushed, _snapshot) + 1)
        {
            Interlocked.Increment(ref _wireOutOfOrder);
        }
        _lastPushed = frame.Seq;
        if (frame.RaisedCallId is { } callId)
        {
            callRaisedAt(callId, at);
        }
    }

    private void Drop(Exception? cause = null)
    {
        _subscribed.TrySetException(cause ?? new WebSocketException("The connection closed before Subscribe was answered."));
        if (!_closing)
        {
            Dropped?.Invoke();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        await _stopping.CancelAsync();
        await _keepingAlive;
        _stopping.Dispose();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseAsync(timeout.Token);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // Already gone.
        }
        socket.Dispose();
        await _receiving;
    }
}
