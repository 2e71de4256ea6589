using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Dispatch.Contracts;
using Dispatch.Outbox;
using Microsoft.Extensions.Options;
using NetMQ;
using NetMQ.Sockets;

namespace Dispatch.Server.Realtime;

/// <summary>
/// A cluster node's link to Dispatch.Bridge (Realtime:Mode Bridge). The DEALER socket lives on a
/// NetMQPoller thread; this service publishes what arrives and queues the replies: HELLO every
/// second (liveness, with this node's <see cref="NodeProof"/>), WAKE after a commit on this node,
/// TAKEN as soon as a delivery arrives, ACK once it is published, and FAILED when publishing it
/// failed, so that the bridge hands it to another node at once. A node that starts stopping says
/// BYE and no more HELLO, so that the bridge sends its deliveries elsewhere at once; what it took
/// and had not published when it stops, it answers FAILED.
/// </summary>
public sealed partial class BridgeLink(
    WardEventPublisher publisher,
    OutboxSignal outboxSignal,
    IHostApplicationLifetime lifetime,
    IOptions<RealtimeOptions> options,
    ILogger<BridgeLink> logger) : BackgroundService, IRelayBacklog
{
    private static readonly TimeSpan s_lastWords = TimeSpan.FromSeconds(1);
    private readonly Channel<NetMQMessage> _inbound = Channel.CreateUnbounded<NetMQMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NetMQQueue<NetMQMessage> _outbound = new();
    // Deliveries said TAKEN and not yet answered ACK or FAILED.
    private readonly ConcurrentDictionary<string, bool> _unanswered = new(StringComparer.Ordinal);
    private long _pending;
    private volatile bool _leaving;

    /// <summary>Deliveries received and not yet published.</summary>
    public long PendingEvents => Interlocked.Read(ref _pending);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var name = options.Value.NodeName;
        var certificate = NodeProof.FromSecretKey(options.Value.NodeSecretKey, "Realtime:NodeSecretKey");
        var bridgeKey = NodeProof.PublicKey(options.Value.BridgePublicKey, "Realtime:BridgePublicKey");
        var proof = NodeProof.Compute(certificate, bridgeKey, name);
        // No identity of its own: the bridge gives each connection one, so a node that reconnects
        // before the bridge has seen its old connection close is not refused as a duplicate.
        using var socket = new DealerSocket();
        socket.Options.CurveServerKey = bridgeKey;
        socket.Options.CurveCertificate = certificate;
        // Send only to bridges that are really connected (the standby is not bound until it leads).
        socket.Options.DelayAttachOnConnect = true;
        foreach (var endpoint in options.Value.BridgeEndpoints)
        {
            socket.Connect(endpoint);
        }

        var hello = new NetMQTimer(TimeSpan.FromSeconds(1));
        hello.Elapsed += (_, _) =>
        {
            if (!_leaving)
            {
                socket.TrySendMultipartMessage(Introduction(BridgeFrames.Hello, proof, name));
            }
        };
        using var stopping = lifetime.ApplicationStopping.Register(() =>
        {
            _leaving = true;
            _outbound.Enqueue(Introduction(BridgeFrames.Bye, proof, name));
        });
        socket.ReceiveReady += (_, e) =>
        {
            var message = e.Socket.ReceiveMultipartMessage();
            if (message[0].ConvertToString() == BridgeFrames.Events)
            {
                // Said at once, from the socket's own thread: the bridge then waits for the ACK
                // while this node lives, however long a busy moment makes publishing take.
                var deliveryId = message[1].ConvertToString();
                _unanswered[deliveryId] = true;
                e.Socket.TrySendMultipartMessage(Frames(BridgeFrames.Taken, deliveryId));
            }
            Interlocked.Increment(ref _pending);
            _inbound.Writer.TryWrite(message);
        };
        _outbound.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var message, TimeSpan.Zero))
            {
                socket.TrySendMultipartMessage(message);
            }
        };

        using var poller = new NetMQPoller { socket, _outbound, hello };
        poller.RunAsync("dispatch-bridge-link");
        Log.Connected(logger, name, string.Join(", ", options.Value.BridgeEndpoints));
        try
        {
            await Task.WhenAll(PublishInboundAsync(stoppingToken), ForwardWakesAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Host stopping.
        }
        finally
        {
            poller.Stop();
            // The poller's thread is gone: this one may use the socket for its last words, the
            // answers still queued and FAILED for what was taken and not published.
            socket.Options.Linger = s_lastWords;
            while (_outbound.TryDequeue(out var queued, TimeSpan.Zero))
            {
                socket.TrySendMultipartMessage(queued);
            }
            foreach (var deliveryId in _unanswered.Keys)
            {
                socket.TrySendMultipartMessage(Frames(BridgeFrames.Failed, deliveryId));
            }
        }
    }

    private static NetMQMessage Frames(string frame, string deliveryId)
    {
        var message = new NetMQMessage();
        message.Append(frame);
        message.Append(deliveryId);
        return message;
    }

    /// <summary>HELLO or BYE: the node's proof and its name.</summary>
    private static NetMQMessage Introduction(string frame, byte[] proof, string name)
    {
        var message = new NetMQMessage();
        message.Append(frame);
        message.Append(proof);
        message.Append(name);
        return message;
    }

    private async Task PublishInboundAsync(CancellationToken ct)
    {
        await foreach (var message in _inbound.Reader.ReadAllAsync(ct))
        {
            try
            {
                switch (message[0].ConvertToString())
                {
                    case BridgeFrames.Events:
                        foreach (var wardEvent in JsonSerializer.Deserialize<WardEvent[]>(message[2].Buffer, OutboxReader.Json)!)
                        {
                            await publisher.PublishAsync(wardEvent, ct);
                        }
                        Answer(BridgeFrames.Ack, message[1].ConvertToString());
                        break;
                    case BridgeFrames.Heartbeat:
                        foreach (var heartbeat in JsonSerializer.Deserialize<WardHeartbeat[]>(message[1].Buffer, OutboxReader.Json)!)
                        {
                            await publisher.PublishHeartbeatAsync(heartbeat);
                        }
                        break;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Said at once, so that the bridge hands the delivery to another node without waiting.
                Log.PublishFailed(logger, e);
                if (message[0].ConvertToString() == BridgeFrames.Events)
                {
                    Answer(BridgeFrames.Failed, message[1].ConvertToString());
                }
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private void Answer(string frame, string deliveryId)
    {
        _unanswered.TryRemove(deliveryId, out _);
        _outbound.Enqueue(Frames(frame, deliveryId));
    }

    private async Task ForwardWakesAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            await outboxSignal.WaitAsync(Timeout.InfiniteTimeSpan, ct);
            var wake = new NetMQMessage();
            wake.Append(BridgeFrames.Wake);
            _outbound.Enqueue(wake);
        }
    }

    public override void Dispose()
    {
        _outbound.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1300, LogLevel.Information, "Node {Node} linked to the bridge at {Endpoints}")]
        public static partial void Connected(ILogger logger, string node, string endpoints);

        [LoggerMessage(1301, LogLevel.Warning, "Publishing a bridge delivery failed; the bridge is told (FAILED) and hands it to another node")]
        public static partial void PublishFailed(ILogger logger, Exception exception);
    }
}
