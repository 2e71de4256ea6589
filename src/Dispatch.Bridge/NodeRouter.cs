using System.Collections.Concurrent;
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
/// bridge leads.
/// </summary>
public sealed partial class NodeRouter(IOptions<BridgeOptions> options, TimeProvider time, ILogger<NodeRouter> logger) : IDisposable
{
    private readonly NetMQQueue<NetMQMessage> _outbound = new();
    private readonly ConcurrentDictionary<string, (byte[] Identity, long LastHello)> _nodes = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingAcks = new();
    private readonly OutboxSignal _wake = new();
    private RouterSocket? _socket;
    private NetMQPoller? _poller;
    private int _nextNode;

    public int LiveNodes => LiveNodeList().Count;

    public void Bind()
    {
        _socket = new RouterSocket();
        _socket.Bind(options.Value.Endpoint);
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
        Log.Bound(logger, options.Value.Endpoint);
    }

    /// <summary>Waits for a node's WAKE (a commit) or the poll interval.</summary>
    public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct) => _wake.WaitAsync(timeout, ct);

    /// <summary>
    /// Hands a ward's events to one live node and waits for its ACK; on silence, to the next node.
    /// Returns false when no node acknowledged (the caller keeps its cursor and tries again).
    /// </summary>
    public async Task<bool> DeliverAsync(IReadOnlyList<WardEvent> events, CancellationToken ct)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(events, OutboxReader.Json);
        foreach (var (name, identity) in LiveNodesInTurn())
        {
            var deliveryId = Guid.NewGuid().ToString("N");
            var acked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingAcks[deliveryId] = acked;
            var message = new NetMQMessage();
            message.Append(identity);
            message.Append(BridgeFrames.Events);
            message.Append(deliveryId);
            message.Append(payload);
            _outbound.Enqueue(message);
            try
            {
                await acked.Task.WaitAsync(TimeSpan.FromMilliseconds(options.Value.AckTimeoutMs), ct);
                return true;
            }
            catch (TimeoutException)
            {
                Log.NodeSilent(logger, name, events[0].WardId);
                _nodes.TryRemove(name, out _);
            }
            finally
            {
                _pendingAcks.TryRemove(deliveryId, out _);
            }
        }
        return false;
    }

    /// <summary>Sends every ward's latest sequence to one node, which publishes it to the ward groups.</summary>
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

    private void Receive(NetMQMessage message)
    {
        var identity = message[0].ToByteArray();
        var name = message[0].ConvertToString();
        switch (message[1].ConvertToString())
        {
            case BridgeFrames.Hello:
                if (!_nodes.ContainsKey(name))
                {
                    Log.NodeJoined(logger, name);
                }
                _nodes[name] = (identity, time.GetTimestamp());
                break;
            case BridgeFrames.Wake:
                _wake.Notify();
                break;
            case BridgeFrames.Ack when _pendingAcks.TryGetValue(message[2].ConvertToString(), out var acked):
                acked.TrySetResult();
                break;
        }
    }

    private List<(string Name, byte[] Identity)> LiveNodeList()
    {
        var timeout = TimeSpan.FromMilliseconds(options.Value.NodeTimeoutMs);
        return _nodes.Where(n => time.GetElapsedTime(n.Value.LastHello) < timeout)
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

        [LoggerMessage(2002, LogLevel.Warning, "Node {Node} did not acknowledge ward {WardId}'s delivery; handing it to another node")]
        public static partial void NodeSilent(ILogger logger, string node, int wardId);
    }
}
