using System.Text;
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
/// failed, so that the bridge hands it to another node at once.
/// </summary>
public sealed partial class BridgeLink(
    WardEventPublisher publisher,
    OutboxSignal outboxSignal,
    IOptions<RealtimeOptions> options,
    ILogger<BridgeLink> logger) : BackgroundService, IRelayBacklog
{
    private readonly Channel<NetMQMessage> _inbound = Channel.CreateUnbounded<NetMQMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NetMQQueue<NetMQMessage> _outbound = new();
    private long _pending;

    /// <summary>Deliveries received and not yet published.</summary>
    public long PendingEvents => Interlocked.Read(ref _pending);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var name = options.Value.NodeName;
        var certificate = NodeProof.FromSecretKey(options.Value.NodeSecretKey, "Realtime:NodeSecretKey");
        var bridgeKey = NodeProof.PublicKey(options.Value.BridgePublicKey, "Realtime:BridgePublicKey");
        var proof = NodeProof.Compute(certificate, bridgeKey, name);
        using var socket = new DealerSocket();
        socket.Options.Identity = Encoding.UTF8.GetBytes(name);
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
            var message = new NetMQMessage();
            message.Append(BridgeFrames.Hello);
            message.Append(proof);
            socket.TrySendMultipartMessage(message);
        };
        socket.ReceiveReady += (_, e) =>
        {
            var message = e.Socket.ReceiveMultipartMessage();
            if (message[0].ConvertToString() == BridgeFrames.Events)
            {
                // Said at once, from the socket's own thread: the bridge then waits for the ACK
                // while this node lives, however long a busy moment makes publishing take.
                var taken = new NetMQMessage();
                taken.Append(BridgeFrames.Taken);
                taken.Append(message[1].ConvertToString());
                e.Socket.TrySendMultipartMessage(taken);
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
        }
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
                        var ack = new NetMQMessage();
                        ack.Append(BridgeFrames.Ack);
                        ack.Append(message[1].ConvertToString());
                        _outbound.Enqueue(ack);
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
                    var failed = new NetMQMessage();
                    failed.Append(BridgeFrames.Failed);
                    failed.Append(message[1].ConvertToString());
                    _outbound.Enqueue(failed);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
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
