using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Dispatch.Server.Realtime;

/// <summary>
/// The hub's lifetime manager on a cluster node. Connections and their groups are this node's
/// own; a send to groups, users or everyone crosses the nodes on one Redis channel, which each
/// node subscribes to once, and each node writes it to its own members. SignalR's Redis backplane
/// subscribes a channel for every connection (and every user and group), a few KB per idle
/// station (2–7 KB measured); Dispatch never addresses another node's connection, so it needs
/// none of them.
/// A send to this node's own connections by id (a goodbye, a move) never leaves the node.
/// </summary>
/// <remarks>
/// Order: each node applies the channel's messages one at a time, in the order Redis delivers
/// them, and a publisher's messages arrive in the order it published them, as with SignalR's
/// backplane. While Redis is unreachable a new connection is refused (so a screen says it is not
/// receiving rather than look live) and a send fails (the relay hands the batch on).
/// </remarks>
public sealed partial class NodeBackplane<THub> : HubLifetimeManager<THub>, IAsyncDisposable where THub : Hub
{
    private readonly HubConnectionStore _connections = new();
    private readonly ConcurrentDictionary<string, HubConnectionStore> _groups = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<IHubProtocol> _protocols;
    private readonly ConfigurationOptions _redis;
    private readonly RedisChannel _channel;
    private readonly ILogger<NodeBackplane<THub>> _logger;
    private readonly SemaphoreSlim _connecting = new(1);
    private ConnectionMultiplexer? _multiplexer;
    private ChannelMessageQueue? _subscription;

    public NodeBackplane(
        IOptions<RealtimeOptions> realtime, IConfiguration configuration, IHubProtocolResolver protocols,
        IOptions<HubOptions> hubOptions, IOptions<HubOptions<THub>> thisHubOptions, ILogger<NodeBackplane<THub>> logger)
    {
        var supported = thisHubOptions.Value.SupportedProtocols ?? hubOptions.Value.SupportedProtocols;
        _protocols = [.. protocols.AllProtocols.Where(p => supported is null || supported.Contains(p.Name, StringComparer.OrdinalIgnoreCase))];
        // The first connect is awaited to the end (and fails, to be tried again by the next caller,
        // while Redis is unreachable); once connected, StackExchange.Redis reconnects by itself.
        _redis = ConfigurationOptions.Parse(realtime.Value.Redis!);
        _redis.AbortOnConnectFail = true;
        _channel = RedisChannel.Literal($"{RealtimeApi.ChannelPrefix(realtime.Value, configuration)}:{typeof(THub).Name}");
        _logger = logger;
        _ = ConnectAtStartAsync();
    }

    /// <summary>Connects as the node starts: the first stations would otherwise wait for it.</summary>
    private async Task ConnectAtStartAsync()
    {
        try
        {
            await EnsureSubscribedAsync(CancellationToken.None);
        }
        catch (RedisException e)
        {
            // The next connection or send tries again.
            Log.NotConnectedYet(_logger, e);
        }
    }

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        await EnsureSubscribedAsync(connection.ConnectionAborted);
        _connections.Add(connection);
    }

    public override Task OnDisconnectedAsync(HubConnectionContext connection)
    {
        _connections.Remove(connection);
        foreach (var group in _groups.Values)
        {
            group.Remove(connection);
        }
        return Task.CompletedTask;
    }

    public override Task AddToGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        _groups.GetOrAdd(groupName, _ => new HubConnectionStore()).Add(Local(connectionId));
        return Task.CompletedTask;
    }

    public override Task RemoveFromGroupAsync(string connectionId, string groupName, CancellationToken cancellationToken = default)
    {
        if (_groups.TryGetValue(groupName, out var group))
        {
            group.Remove(Local(connectionId));
        }
        return Task.CompletedTask;
    }

    public override Task SendAllAsync(string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.All, [], [], Serialize(methodName, args)), cancellationToken);

    public override Task SendAllExceptAsync(string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.All, [], excludedConnectionIds, Serialize(methodName, args)), cancellationToken);

    public override Task SendGroupAsync(string groupName, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.Groups, [groupName], [], Serialize(methodName, args)), cancellationToken);

    public override Task SendGroupsAsync(IReadOnlyList<string> groupNames, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.Groups, groupNames, [], Serialize(methodName, args)), cancellationToken);

    public override Task SendGroupExceptAsync(string groupName, string methodName, object?[] args, IReadOnlyList<string> excludedConnectionIds, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.Groups, [groupName], excludedConnectionIds, Serialize(methodName, args)), cancellationToken);

    public override Task SendUserAsync(string userId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.Users, [userId], [], Serialize(methodName, args)), cancellationToken);

    public override Task SendUsersAsync(IReadOnlyList<string> userIds, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        PublishAsync(new BackplaneMessage(BackplaneTarget.Users, userIds, [], Serialize(methodName, args)), cancellationToken);

    public override Task SendConnectionAsync(string connectionId, string methodName, object?[] args, CancellationToken cancellationToken = default) =>
        SendConnectionsAsync([connectionId], methodName, args, cancellationToken);

    /// <summary>Written straight to this node's connections; only ids on other nodes go through Redis.</summary>
    public override async Task SendConnectionsAsync(IReadOnlyList<string> connectionIds, string methodName, object?[] args, CancellationToken cancellationToken = default)
    {
        var message = new SerializedHubMessage(new InvocationMessage(methodName, args));
        var elsewhere = new List<string>();
        var writes = new List<Task>();
        foreach (var id in connectionIds)
        {
            if (_connections[id] is { } connection)
            {
                writes.Add(connection.WriteAsync(message, cancellationToken).AsTask());
            }
            else
            {
                elsewhere.Add(id);
            }
        }
        if (elsewhere.Count > 0)
        {
            writes.Add(PublishAsync(new BackplaneMessage(BackplaneTarget.Connections, elsewhere, [], Serialize(message.Message!)), cancellationToken));
        }
        await Task.WhenAll(writes);
    }

    private HubConnectionContext Local(string connectionId) =>
        _connections[connectionId] ?? throw new InvalidOperationException($"Connection {connectionId} is not on this node; a connection joins groups on its own node.");

    private SerializedMessage[] Serialize(string methodName, object?[] args) =>
        Serialize(new InvocationMessage(methodName, args));

    /// <summary>The message in each hub protocol a connection may speak (JSON), once per send for every node.</summary>
    private SerializedMessage[] Serialize(HubMessage message) =>
        [.. _protocols.Select(protocol => new SerializedMessage(protocol.Name, protocol.GetMessageBytes(message)))];

    private async Task PublishAsync(BackplaneMessage message, CancellationToken ct)
    {
        var bus = await EnsureSubscribedAsync(ct);
        await bus.PublishAsync(_channel, message.ToBytes());
    }

    /// <summary>Connects and subscribes once; afterwards StackExchange.Redis restores the subscription after any reconnect or failover.</summary>
    private async Task<ISubscriber> EnsureSubscribedAsync(CancellationToken ct)
    {
        if (_subscription is null)
        {
            await _connecting.WaitAsync(ct);
            try
            {
                _multiplexer ??= await ConnectionMultiplexer.ConnectAsync(_redis);
                if (_subscription is null && _multiplexer.IsConnected)
                {
                    var subscription = await _multiplexer.GetSubscriber().SubscribeAsync(_channel);
                    subscription.OnMessage(DeliverAsync);
                    _subscription = subscription;
                }
            }
            finally
            {
                _connecting.Release();
            }
        }
        return _multiplexer!.IsConnected
            ? _multiplexer.GetSubscriber()
            : throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "The backplane (Redis) is not connected.");
    }

    /// <summary>Writes a message from the channel to this node's connections it names.</summary>
    private async Task DeliverAsync(ChannelMessage received)
    {
        try
        {
            var message = BackplaneMessage.FromBytes((byte[])received.Message!);
            var serialized = new SerializedHubMessage(message.Serialized);
            var excluded = message.Excluded.Count == 0 ? null : message.Excluded.ToHashSet(StringComparer.Ordinal);
            var writes = new List<Task>();
            foreach (var connection in Recipients(message))
            {
                if (excluded?.Contains(connection.ConnectionId) != true)
                {
                    writes.Add(connection.WriteAsync(serialized).AsTask());
                }
            }
            await Task.WhenAll(writes);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // One bad message or closed connection must not stop the node's delivery of the next.
            Log.DeliveryFailed(_logger, e);
        }
    }

    private IEnumerable<HubConnectionContext> Recipients(BackplaneMessage message)
    {
        switch (message.Target)
        {
            case BackplaneTarget.Groups:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var name in message.Names)
                {
                    if (_groups.TryGetValue(name, out var group))
                    {
                        foreach (var connection in group)
                        {
                            if (seen.Add(connection.ConnectionId))
                            {
                                yield return connection;
                            }
                        }
                    }
                }
                break;
            case BackplaneTarget.Connections:
                foreach (var id in message.Names)
                {
                    if (_connections[id] is { } connection)
                    {
                        yield return connection;
                    }
                }
                break;
            default:
                foreach (var connection in _connections)
                {
                    if (message.Target == BackplaneTarget.All || (connection.UserIdentifier is { } user && message.Names.Contains(user)))
                    {
                        yield return connection;
                    }
                }
                break;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.DisposeAsync();
        }
        _connecting.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1340, LogLevel.Error, "A backplane message could not be written to this node's connections")]
        public static partial void DeliveryFailed(ILogger logger, Exception exception);

        [LoggerMessage(1341, LogLevel.Warning, "The backplane (Redis) could not be reached at start; new connections are refused until it is")]
        public static partial void NotConnectedYet(ILogger logger, Exception exception);
    }
}
