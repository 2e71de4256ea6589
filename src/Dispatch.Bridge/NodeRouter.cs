using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Microsoft.Extensions.Options;
using NetMQ;
using NetMQ.Sockets;

namespace Dispatch.Bridge;

/// <summary>
/// The bridge's ROUTER socket and what it knows of the nodes. The socket lives on a NetMQPoller
/// thread; async callers queue frames to it and await acknowledgements. Bound only while this
/// bridge leads. The socket is a CurveZMQ server, and a node counts only once its HELLO proves a
/// key listed in Bridge:Nodes (<see cref="NodeProof"/>): any other peer is sent nothing.
/// </summary>
public sealed partial class NodeRouter : IDisposable
{
    /// <summary>Refused names are logged once each, up to this many.</summary>
    private const int RefusalsLogged = 100;

    /// <summary>
    /// The largest frame a node sends is a few dozen bytes (a proof, a name, a delivery id); a peer
    /// that sends more is cut off before its frame is read, so that no peer, listed or not, makes
    /// the bridge hold or log what it likes.
    /// </summary>
    private const int MaxInboundFrameBytes = 4096;

    private readonly IOptions<BridgeOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<NodeRouter> _logger;
    private readonly NetMQCertificate _certificate;
    private readonly Dictionary<string, byte[]> _expectedProofs;
    private readonly NetMQQueue<NetMQMessage> _outbound = new();
    private readonly ConcurrentDictionary<string, (byte[] Identity, long LastHello)> _nodes = new();
    // Each connection's node, once a HELLO on it proved the name (the identity, hex, to the name).
    private readonly ConcurrentDictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Delivery> _pendingAcks = new();
    // Nodes that said BYE: sent nothing new until their next HELLO (a restart).
    private readonly ConcurrentDictionary<string, bool> _leaving = new();
    private readonly ConcurrentDictionary<string, bool> _refusedNames = new();
    private readonly OutboxSignal _wake = new();
    private RouterSocket? _socket;
    private NetMQPoller? _poller;
    private int _nextNode;
    private long _refusedHellos;

    public NodeRouter(IOptions<BridgeOptions> options, TimeProvider time, ILogger<NodeRouter> logger)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _certificate = NodeProof.FromSecretKey(options.Value.SecretKey, $"{BridgeOptions.Section}:SecretKey");
        _expectedProofs = options.Value.Nodes.ToDictionary(
            n => n.Key,
            n => NodeProof.Compute(_certificate, NodeProof.PublicKey(n.Value, $"{BridgeOptions.Section}:Nodes:{n.Key}"), n.Key),
            StringComparer.Ordinal);
    }

    public int LiveNodes => LiveNodeList().Count;

    /// <summary>HELLOs that proved no listed key (a peer that is not one of this cluster's nodes).</summary>
    public long RefusedHellos => Interlocked.Read(ref _refusedHellos);

    public void Bind()
    {
        _socket = new RouterSocket();
        _socket.Options.CurveServer = true;
        _socket.Options.CurveCertificate = _certificate;
        _socket.Options.MaxMsgSize = MaxInboundFrameBytes;
        _socket.Bind(_options.Value.Endpoint);
        _socket.ReceiveReady += (_, e) => Receive(e.Socket.ReceiveMultipartMessage());
        _outbound.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var message, TimeSpan.Zero))
            {
                _socket.TrySendMultipartMessage(message);
            }
        };
        _poller = [_socket, _outbound];
        _poller.RunAsync("dispatch-bridge-router");
        Log.Bound(_logger, _options.Value.Endpoint);
    }

    /// <summary>Waits for a node's WAKE (a commit) or the poll interval.</summary>
    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);

    /// <summary>
    /// A delivery in flight: Taken once the node has it; Acked with true once it has published it,
    /// with false when it says it could not.
    /// </summary>
    private sealed record Delivery(string Node)
    {
        public TaskCompletionSource Taken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource<bool> Acked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// Hands a ward's events to one live node and waits until it has published them (ACK). A node
    /// that does not say TAKEN within Bridge:AckTimeoutMs, or that goes silent (no HELLO) or past
    /// Bridge:PublishTimeoutMs after taking it, is passed over for the next node. Returns false
    /// when no node acknowledged (the caller keeps its cursor and tries again).
    /// </summary>
    public async Task<bool> DeliverAsync(IReadOnlyList<WardEvent> events, CancellationToken ct)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(events, OutboxReader.Json);
        foreach (var (name, identity) in LiveNodesInTurn())
        {
            var deliveryId = Guid.NewGuid().ToString("N");
            var delivery = new Delivery(name);
            _pendingAcks[deliveryId] = delivery;
            var message = new NetMQMessage();
            message.Append(identity);
            message.Append(BridgeFrames.Events);
            message.Append(deliveryId);
            message.Append(payload);
            _outbound.Enqueue(message);
            try
            {
                if (await PublishedAsync(delivery, ct))
                {
                    return true;
                }
                Log.NodeSilent(_logger, name, events[0].WardId);
                _nodes.TryRemove(name, out _);
            }
            finally
            {
                _pendingAcks.TryRemove(deliveryId, out _);
            }
        }
        return false;
    }

    /// <summary>
    /// Whether the node published the delivery. Handing a delivery on while its node still works
    /// on it would show its events twice, so a node that took it is waited for while it lives.
    /// </summary>
    private async Task<bool> PublishedAsync(Delivery delivery, CancellationToken ct)
    {
        var options = _options.Value;
        var taken = await Task.WhenAny(delivery.Taken.Task, delivery.Acked.Task, Task.Delay(options.AckTimeoutMs, ct));
        ct.ThrowIfCancellationRequested();
        if (taken != delivery.Taken.Task && taken != delivery.Acked.Task)
        {
            return false;
        }
        var since = _time.GetTimestamp();
        var check = TimeSpan.FromMilliseconds(Math.Min(options.NodeTimeoutMs, options.PublishTimeoutMs) / 4.0);
        while (!delivery.Acked.Task.IsCompleted)
        {
            await Task.WhenAny(delivery.Acked.Task, Task.Delay(check, ct));
            ct.ThrowIfCancellationRequested();
            var nodeLives = _nodes.TryGetValue(delivery.Node, out var node)
                && _time.GetElapsedTime(node.LastHello) < TimeSpan.FromMilliseconds(options.NodeTimeoutMs);
            if (!delivery.Acked.Task.IsCompleted && (!nodeLives || _time.GetElapsedTime(since) > TimeSpan.FromMilliseconds(options.PublishTimeoutMs)))
            {
                return false;
            }
        }
        return await delivery.Acked.Task;
    }

    /// <summary>Sends wards' latest sequences to one node, which publishes each to its ward's group.</summary>
    public void SendHeartbeats(IReadOnlyList<WardHeartbeat> heartbeats)
    {
        var node = LiveNodesInTurn().FirstOrDefault();
        if (node.Identity is null)
        {
            return;
        }
        var message = new NetMQMessage();
        message.Append(node.Identity);
        message.Append(BridgeFrames.Heartbeat);
        message.Append(JsonSerializer.SerializeToUtf8Bytes(heartbeats, OutboxReader.Json));
        _outbound.Enqueue(message);
    }

    /// <summary>
    /// A node is known by its name, which its HELLO proves, not by its connection: a node that
    /// restarts, or reconnects, is the same node on a new connection, and its first HELLO there
    /// moves it. Anything else a connection sends counts only once a HELLO on it proved a name.
    /// </summary>
    private void Receive(NetMQMessage message)
    {
        var identity = message[0].ToByteArray();
        var connection = Convert.ToHexString(identity);
        switch (message[1].ConvertToString())
        {
            case BridgeFrames.Hello when ProvedName(message) is { } name:
                var back = _leaving.TryRemove(name, out _);
                if (!_nodes.TryGetValue(name, out var known) || back)
                {
                    Log.NodeJoined(_logger, name);
                }
                else if (!known.Identity.AsSpan().SequenceEqual(identity))
                {
                    _names.TryRemove(Convert.ToHexString(known.Identity), out _);
                }
                _names[connection] = name;
                _nodes[name] = (identity, _time.GetTimestamp());
                break;
            case BridgeFrames.Bye when ProvedName(message) is { } name:
                // A node that stops says so: nothing more is sent to it, rather than waiting out
                // Bridge:AckTimeoutMs for each delivery until it is seen to be silent. What it took
                // is still waited for (it publishes it, or says FAILED, as it stops).
                if (_nodes.ContainsKey(name) && _leaving.TryAdd(name, true))
                {
                    Log.NodeLeft(_logger, name);
                }
                break;
            case BridgeFrames.Hello:
                Interlocked.Increment(ref _refusedHellos);
                var claimed = Loggable(ClaimedName(message));
                if (_refusedNames.Count < RefusalsLogged && _refusedNames.TryAdd(claimed, true))
                {
                    Log.NodeRefused(_logger, claimed);
                }
                break;
            case BridgeFrames.Wake when _names.ContainsKey(connection):
                _wake.Notify();
                break;
            case BridgeFrames.Taken when message.FrameCount > 2 && _names.TryGetValue(connection, out var name)
                && _pendingAcks.TryGetValue(message[2].ConvertToString(), out var taken) && taken.Node == name:
                taken.Taken.TrySetResult();
                break;
            case BridgeFrames.Ack when message.FrameCount > 2 && _names.TryGetValue(connection, out var name)
                && _pendingAcks.TryGetValue(message[2].ConvertToString(), out var acked) && acked.Node == name:
                acked.Acked.TrySetResult(true);
                break;
            case BridgeFrames.Failed when message.FrameCount > 2 && _names.TryGetValue(connection, out var name)
                && _pendingAcks.TryGetValue(message[2].ConvertToString(), out var failed) && failed.Node == name:
                failed.Acked.TrySetResult(false);
                break;
        }
    }

    /// <summary>
    /// The name a HELLO or BYE gives (its third frame), or, from a node of a version before
    /// names were sent, its connection's identity (then its name).
    /// </summary>
    private static string ClaimedName(NetMQMessage message) =>
        (message.FrameCount > 3 ? message[3] : message[0]).ConvertToString();

    /// <summary>
    /// A name that proved nothing, as the log shows it: itself when short and printable, else
    /// described, so that a peer cannot write line breaks (a forged log line) into the log.
    /// </summary>
    private static string Loggable(string name) =>
        name.Length <= 64 && !name.Any(char.IsControl) ? name : $"(a name of {name.Length} characters, not shown)";

    /// <summary>The name a HELLO or BYE proves (its proof is that of a key listed under that name), or null.</summary>
    private string? ProvedName(NetMQMessage message)
    {
        if (message.FrameCount < 3)
        {
            return null;
        }
        var name = ClaimedName(message);
        return _expectedProofs.TryGetValue(name, out var expected)
            && CryptographicOperations.FixedTimeEquals(expected, message[2].Buffer.AsSpan(0, message[2].MessageSize))
            ? name
            : null;
    }

    private List<(string Name, byte[] Identity)> LiveNodeList()
    {
        var timeout = TimeSpan.FromMilliseconds(_options.Value.NodeTimeoutMs);
        return _nodes.Where(n => _time.GetElapsedTime(n.Value.LastHello) < timeout && !_leaving.ContainsKey(n.Key))
            .OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => (n.Key, n.Value.Identity))
            .ToList();
    }

    /// <summary>Live nodes, starting from the next in turn, so load spreads over the cluster.</summary>
    private IEnumerable<(string Name, byte[] Identity)> LiveNodesInTurn()
    {
        var live = LiveNodeList();
        var start = Interlocked.Increment(ref _nextNode);
        for (var i = 0; i < live.Count; i++)
        {
            yield return live[(int)((uint)(start + i) % live.Count)];
        }
    }

    public void Dispose()
    {
        _poller?.Stop();
        _poller?.Dispose();
        _socket?.Dispose();
        _outbound.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Information, "Bridge bound at {Endpoint}")]
        public static partial void Bound(ILogger logger, string endpoint);

        [LoggerMessage(2001, LogLevel.Information, "Node {Node} joined")]
        public static partial void NodeJoined(ILogger logger, string node);

        [LoggerMessage(2002, LogLevel.Warning, "Node {Node} did not take ward {WardId}'s delivery, or went silent or past Bridge:PublishTimeoutMs before publishing it; handing it to another node")]
        public static partial void NodeSilent(ILogger logger, string node, int wardId);

        [LoggerMessage(2003, LogLevel.Warning, "A peer calling itself {Node} is sent nothing: its HELLO proves no key listed in Bridge:Nodes")]
        public static partial void NodeRefused(ILogger logger, string node);

        [LoggerMessage(2004, LogLevel.Information, "Node {Node} left (it is stopping)")]
        public static partial void NodeLeft(ILogger logger, string node);
    }
}
