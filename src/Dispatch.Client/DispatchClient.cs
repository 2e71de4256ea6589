using System.Threading.Channels;
using Dispatch.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Dispatch.Client;

/// <summary>What a station shows about its link to the server.</summary>
public enum StationConnectionState
{
    /// <summary>Connected; events arrive live.</summary>
    Connected,

    /// <summary>The link dropped; calls may be delayed until it is back.</summary>
    Reconnecting,

    /// <summary>Stopped by the application.</summary>
    Stopped,

    /// <summary>The server ended the session (4401: revoked or expired). The client does not reconnect; sign in again.</summary>
    SignedOut,
}

/// <summary>
/// A nurse-station connection to Dispatch. It keeps each subscribed ward's board exact: events are
/// delivered to <see cref="EventReceived"/> once each and in ward order; duplicates are dropped; a
/// gap (seen in an event or a ward heartbeat) is repaired from the server's outbox before later
/// events; after a reconnect the client resumes from the last sequence it applied.
/// </summary>
/// <remarks>
/// Hub callbacks only enqueue work; a single worker owned by this object applies it, so the
/// per-ward state needs no locks and a resync never blocks SignalR's receive loop.
/// </remarks>
public sealed class DispatchClient : IAsyncDisposable
{
    private readonly Uri _server;
    private readonly string _token;
    private readonly Action<HttpConnectionOptions>? _configureConnection;
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<int, WardSequence> _wards = [];
    private long _wireDuplicates;
    private long _wireOutOfOrder;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private readonly ForeverJitteredRetryPolicy _retryPolicy;
    private HubConnection _connection;
    private Task _moving = Task.CompletedTask;
    private volatile bool _signedOut;
    private string? _stationKey;

    /// <summary>How often a request cut off by a lost link is sent again while the connection comes back.</summary>
    private static readonly TimeSpan s_answerRetry = TimeSpan.FromMilliseconds(500);

    /// <summary>Connects to <paramref name="server"/> with a staff session token (see <see cref="SignInAsync"/>).</summary>
    /// <param name="server">The server or nginx base address, e.g. http://127.0.0.1:5080.</param>
    /// <param name="token">A session token from <see cref="SignInAsync"/>.</param>
    /// <param name="maxReconnectDelay">The cap of the jittered reconnect backoff; 30 s when null.</param>
    /// <param name="configureConnection">Adjusts the connection's options (proxy, certificates, a custom WebSocket factory).</param>
    public DispatchClient(Uri server, string token, TimeSpan? maxReconnectDelay = null, Action<HttpConnectionOptions>? configureConnection = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        (_server, _token, _configureConnection) = (server, token, configureConnection);
        _retryPolicy = new ForeverJitteredRetryPolicy(maxReconnectDelay ?? TimeSpan.FromSeconds(30));
        _connection = Connect();
        _worker = RunWorkerAsync(_stopping.Token);
    }

    /// <summary>Why the server ended the session, once <see cref="StationConnectionState.SignedOut"/>.</summary>
    public string? SignedOutReason { get; private set; }

    /// <summary>Each event of a subscribed ward, once, in ward order.</summary>
    public event Action<WardEvent>? EventReceived;

    /// <summary>
    /// A call of any ward escalated to the signed-in staff member. Live only: after a reconnect,
    /// GET /api/staff/me/calls lists the open calls assigned to them.
    /// </summary>
    public event Action<WardEvent>? EscalatedToMe;

    /// <summary>
    /// An event of a call, of any ward, whose kind a team of the signed-in staff member takes (the
    /// code team: code_blue), from raised to resolved, while they are on duty. Live only: after a
    /// reconnect, GET /api/staff/me/calls lists the open calls of their teams' kinds.
    /// </summary>
    public event Action<WardEvent>? ForMyTeam;

    /// <summary>
    /// The node is stopping; the connection drops next and the client reconnects (to another node
    /// behind the load balancer) and resyncs by itself. For a quiet "moving to another server" note.
    /// </summary>
    public event Action<ShutdownNotice>? ServerShuttingDown;

    /// <summary>
    /// The client moved to another node as a draining node asked (<see cref="ReconnectNotice"/>):
    /// the new connection was up and resynced before the old one closed, so nothing was missed.
    /// </summary>
    public event Action<ReconnectNotice>? MovedToAnotherNode;

    /// <summary>
    /// For managers and administration: a ward has open calls and no station connected anywhere
    /// in the cluster, so nobody may be seeing them.
    /// </summary>
    public event Action<WardAlert>? WardUnwatched;

    /// <summary>No station of the call's ward confirmed showing it in time (see <see cref="ConfirmDisplayedAsync"/>).</summary>
    public event Action<DisplayAlert>? CallNotDisplayed;

    /// <summary>Connection state changes, for the station's banner.</summary>
    public event Action<StationConnectionState>? StateChanged;

    /// <summary>A failure the client recovered from or will retry (a resync that could not run yet).</summary>
    public event Action<Exception>? ErrorOccurred;

    /// <summary>Signs a staff member in and returns the session (its token authenticates the hub); see <see cref="DispatchApi"/>.</summary>
    public static async Task<LoginResponse> SignInAsync(Uri server, string username, string password, CancellationToken cancellationToken = default)
    {
        using var api = new DispatchApi(server);
        return await api.SignInAsync(username, password, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the connection. A refused session fails here rather than retrying.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _connection.StartAsync(cancellationToken).ConfigureAwait(false);
        await Notify(StationConnectionState.Connected).ConfigureAwait(false);
    }

    /// <summary>
    /// Subscribes to a ward and returns its open calls as of the returned sequence; later events
    /// follow it. A link lost before the server answers is waited out; a refusal throws a
    /// <see cref="HubException"/> (see <see cref="RefusalSentence"/>).
    /// </summary>
    public Task<WardSnapshot> SubscribeAsync(int wardId, CancellationToken cancellationToken = default) =>
        SubscribeFromAsync(wardId, afterSeq: null, cancellationToken);

    /// <summary>
    /// Subscribes to a ward and first replays to <see cref="EventReceived"/> the ward's events after
    /// <paramref name="afterSeq"/> (the last sequence a board showed, before a restart say), then
    /// live ones. Null: from the snapshot's sequence, as <see cref="SubscribeAsync"/>.
    /// </summary>
    public Task<WardSnapshot> SubscribeFromAsync(int wardId, long? afterSeq, CancellationToken cancellationToken = default) =>
        AnsweredAsync(async () =>
        {
            var snapshot = await _connection.InvokeAsync<WardSnapshot>(DispatchHubMethods.Subscribe, wardId, cancellationToken).ConfigureAwait(false);
            var ward = new WardSequence(afterSeq ?? snapshot.Seq);
            _wards[wardId] = ward;
            if (ward.IsBehind(snapshot.Seq))
            {
                await ResyncAsync(_connection, wardId, ward).ConfigureAwait(false);
            }
            return snapshot;
        }, cancellationToken);

    /// <summary>
    /// Identifies this connection as the screen of a nurse station (its station device key), so that
    /// its ward is told when the screen goes silent. The client identifies again after every
    /// reconnect or move. A link lost before the server answers is waited out.
    /// </summary>
    public Task<StationView> IdentifyStationAsync(string stationKey, CancellationToken cancellationToken = default) =>
        AnsweredAsync(async () =>
        {
            var station = await _connection.InvokeAsync<StationView>(DispatchHubMethods.IdentifyStation, stationKey, cancellationToken).ConfigureAwait(false);
            _stationKey = stationKey;
            return station;
        }, cancellationToken);

    /// <summary>
    /// Pushed events that arrived already applied, before this client dropped them: a resend at
    /// the wire. None in a run without faults (a load test checks so).
    /// </summary>
    public long WireDuplicates => Interlocked.Read(ref _wireDuplicates);

    /// <summary>Pushed events that arrived with earlier ones missing, before this client repaired the gap from the outbox.</summary>
    public long WireOutOfOrder => Interlocked.Read(ref _wireOutOfOrder);

    /// <summary>
    /// Whether this station's screen can play sound (after <see cref="IdentifyStationAsync"/>): one
    /// that cannot is listed to its ward and on the ops page until it reports it can.
    /// </summary>
    public Task ReportSoundAsync(bool canPlay, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync(DispatchHubMethods.ReportSound, canPlay, cancellationToken);

    /// <summary>
    /// The sentence of a server's refusal (docs/protocol.md: an invocation's error ends with
    /// "HubException: ", the sentence and its code in brackets), or null when
    /// <paramref name="exception"/> is not one.
    /// </summary>
    public static string? RefusalSentence(Exception exception) => Refusal(exception)?.Sentence;

    /// <summary>The code of a server's refusal ("not_your_ward"; docs/api.md lists them), or null when <paramref name="exception"/> is not one.</summary>
    public static string? RefusalCode(Exception exception) => Refusal(exception)?.Code;

    private static (string Sentence, string? Code)? Refusal(Exception exception)
    {
        const string Marker = "HubException: ";
        if (exception is not HubException { Message: var message } || message.LastIndexOf(Marker, StringComparison.Ordinal) is not (var at and >= 0))
        {
            return null;
        }
        var refusal = message[(at + Marker.Length)..];
        var code = refusal.EndsWith(']') && refusal.LastIndexOf(" [", StringComparison.Ordinal) is var open and >= 0 ? open : -1;
        return code < 0 ? (refusal, null) : (refusal[..code], refusal[(code + 2)..^1]);
    }

    /// <summary>
    /// Tells the server these calls are on this station's screen (display receipts). A call that
    /// no station of its ward confirms within a few seconds is alarmed.
    /// </summary>
    public Task ConfirmDisplayedAsync(IReadOnlyCollection<long> callIds, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync(DispatchHubMethods.Displayed, callIds, cancellationToken);

    /// <summary>Acknowledges a call: it stops escalating.</summary>
    public Task<CallView> AcknowledgeAsync(long callId, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<CallView>(DispatchHubMethods.Acknowledge, callId, cancellationToken);

    /// <summary>Rejects a call: it is handed to another nurse.</summary>
    public Task<CallView> RejectAsync(long callId, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<CallView>(DispatchHubMethods.Reject, callId, cancellationToken);

    /// <summary>Stops the connection and the worker.</summary>
    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _moving.ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _worker.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
        _stopping.Dispose();
    }

    /// <summary>
    /// A hub connection with this client's handlers. Handlers of a connection that has been
    /// replaced (after a move) still deliver events, deduplicated by sequence, but no longer speak
    /// for the client's state.
    /// </summary>
    private HubConnection Connect()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(_server, DispatchHubMethods.Route), options =>
            {
                // WebSockets straight away: no negotiate round trip and no sticky session needed.
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(_token);
                _configureConnection?.Invoke(options);
            })
            .WithAutomaticReconnect(_retryPolicy)
            .Build();

        connection.On<WardEvent>(nameof(IDispatchClient.WardEvent), e => Enqueue(() => ApplyAsync(e)));
        connection.On<WardHeartbeat>(nameof(IDispatchClient.WardHeartbeat), h => Enqueue(() => CatchUpIfBehindAsync(h)));
        connection.On<WardEvent>(nameof(IDispatchClient.CallEscalatedToYou), e => EscalatedToMe?.Invoke(e));
        connection.On<WardEvent>(nameof(IDispatchClient.CallForYourTeam), e => ForMyTeam?.Invoke(e));
        connection.On<ShutdownNotice>(nameof(IDispatchClient.ServerShutdown), n => ServerShuttingDown?.Invoke(n));
        connection.On<ReconnectNotice>(nameof(IDispatchClient.ReconnectElsewhere), n => MoveSoon(connection, n));
        connection.On<WardAlert>(nameof(IDispatchClient.WardUnwatched), a => WardUnwatched?.Invoke(a));
        connection.On<DisplayAlert>(nameof(IDispatchClient.CallNotDisplayed), a => CallNotDisplayed?.Invoke(a));
        connection.On<SessionClosedNotice>(nameof(IDispatchClient.SessionClosed), n => Enqueue(() => SignOutAsync(n)));
        connection.Reconnecting += _ => IsCurrent(connection) ? Notify(StationConnectionState.Reconnecting) : Task.CompletedTask;
        connection.Reconnected += _ => IsCurrent(connection) ? Enqueue(ResumeAsync) : Task.CompletedTask;
        connection.Closed += _ => IsCurrent(connection)
            ? Notify(_signedOut || _retryPolicy.SessionRefused ? StationConnectionState.SignedOut : StationConnectionState.Stopped)
            : Task.CompletedTask;
        return connection;
    }

    private bool IsCurrent(HubConnection connection) => ReferenceEquals(connection, _connection);

    private Task MoveSoon(HubConnection from, ReconnectNotice notice)
    {
        if (IsCurrent(from))
        {
            _moving = MoveAsync(from, notice);
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Make before break: at a random moment in the window, open a new connection (the draining
    /// node refuses it, so the load balancer picks another), rejoin and resync the wards on it, and
    /// only then close the old one. If the new one cannot open, the old one stays until the node
    /// closes it, and the automatic reconnect takes over.
    /// </summary>
    private async Task MoveAsync(HubConnection from, ReconnectNotice notice)
    {
        HubConnection? fresh = null;
        try
        {
            await Task.Delay(Random.Shared.Next(Math.Max(1, notice.ReconnectWithinMs)), _stopping.Token).ConfigureAwait(false);
            fresh = Connect();
            await fresh.StartAsync(_stopping.Token).ConfigureAwait(false);
            var moved = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await Enqueue(async () =>
            {
                try
                {
                    await ResumeOnAsync(fresh).ConfigureAwait(false);
                    _connection = fresh;
                    moved.TrySetResult();
                }
                catch (Exception e)
                {
                    moved.TrySetException(e);
                }
            }).ConfigureAwait(false);
            await moved.Task.ConfigureAwait(false);
            await from.DisposeAsync().ConfigureAwait(false);
            MovedToAnotherNode?.Invoke(notice);
        }
        catch (Exception e)
        {
            if (e is not OperationCanceledException || !_stopping.IsCancellationRequested)
            {
                ErrorOccurred?.Invoke(e);
            }
            if (fresh is not null && !IsCurrent(fresh))
            {
                await fresh.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Runs work on the worker until the server answers it. The server's answer (a refusal such as
    /// "not your ward" included) is final; a link lost before it (a node dying just then) is waited
    /// out while the connection reconnects by itself, and the work is sent again.
    /// </summary>
    private async Task<T> AnsweredAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        while (true)
        {
            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            await Enqueue(async () =>
            {
                try
                {
                    done.TrySetResult(await work().ConfigureAwait(false));
                }
                catch (Exception e)
                {
                    done.TrySetException(e);
                }
            }).ConfigureAwait(false);
            try
            {
                return await done.Task.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not HubException && MayWaitForAnswer(ct))
            {
                await Task.Delay(s_answerRetry, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The link may come back: the client is neither stopped nor signed out, and its connection is reconnecting rather than closed.</summary>
    private bool MayWaitForAnswer(CancellationToken ct) =>
        !ct.IsCancellationRequested && !_stopping.IsCancellationRequested && !_signedOut && !_retryPolicy.SessionRefused
        && _connection.State != HubConnectionState.Disconnected;

    private async Task ApplyAsync(WardEvent wardEvent)
    {
        if (!_wards.TryGetValue(wardEvent.WardId, out var ward))
        {
            return;
        }
        switch (ward.Observe(wardEvent.Seq))
        {
            case SequenceVerdict.Next:
                EventReceived?.Invoke(wardEvent);
                break;
            case SequenceVerdict.Duplicate:
                Interlocked.Increment(ref _wireDuplicates);
                break;
            case SequenceVerdict.Gap:
                Interlocked.Increment(ref _wireOutOfOrder);
                // The outbox holds this event too; the resync applies it in its place.
                await ResyncAsync(_connection, wardEvent.WardId, ward).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>4401: stop for good, so that automatic reconnection does not retry a dead session.</summary>
    private async Task SignOutAsync(SessionClosedNotice notice)
    {
        _signedOut = true;
        SignedOutReason = notice.Reason;
        await _connection.StopAsync(_stopping.Token).ConfigureAwait(false);
    }

    private Task CatchUpIfBehindAsync(WardHeartbeat heartbeat) =>
        _wards.TryGetValue(heartbeat.WardId, out var ward) && ward.IsBehind(heartbeat.Seq)
            ? ResyncAsync(_connection, heartbeat.WardId, ward)
            : Task.CompletedTask;

    /// <summary>After a reconnect (possibly to another node): identify the station again, rejoin every ward, then replay from where each stopped.</summary>
    private async Task ResumeAsync()
    {
        await ResumeOnAsync(_connection).ConfigureAwait(false);
        await Notify(StationConnectionState.Connected).ConfigureAwait(false);
    }

    private async Task ResumeOnAsync(HubConnection connection)
    {
        if (_stationKey is not null)
        {
            try
            {
                await connection.InvokeAsync<StationView>(DispatchHubMethods.IdentifyStation, _stationKey, _stopping.Token).ConfigureAwait(false);
            }
            catch (HubException e)
            {
                // The station key was withdrawn meanwhile: the board still resumes, unsupervised.
                ErrorOccurred?.Invoke(e);
            }
        }
        foreach (var (wardId, ward) in _wards)
        {
            await connection.InvokeAsync<WardSnapshot>(DispatchHubMethods.Subscribe, wardId, _stopping.Token).ConfigureAwait(false);
            await ResyncAsync(connection, wardId, ward).ConfigureAwait(false);
        }
    }

    private async Task ResyncAsync(HubConnection connection, int wardId, WardSequence ward)
    {
        IReadOnlyList<WardEvent> page;
        do
        {
            page = await connection.InvokeAsync<IReadOnlyList<WardEvent>>(DispatchHubMethods.Resync, wardId, ward.Last, _stopping.Token).ConfigureAwait(false);
            foreach (var wardEvent in page)
            {
                if (ward.Observe(wardEvent.Seq) == SequenceVerdict.Next)
                {
                    EventReceived?.Invoke(wardEvent);
                }
            }
        }
        while (page.Count == DispatchHubMethods.ResyncPageSize);
    }

    private Task Enqueue(Func<Task> work)
    {
        _work.Writer.TryWrite(work);
        return Task.CompletedTask;
    }

    private Task Notify(StationConnectionState state)
    {
        StateChanged?.Invoke(state);
        return Task.CompletedTask;
    }

    private async Task RunWorkerAsync(CancellationToken ct)
    {
        await foreach (var work in _work.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A resync that failed (disconnected, server busy) is retried by the next heartbeat or reconnect.
                ErrorOccurred?.Invoke(e);
            }
        }
    }
}
