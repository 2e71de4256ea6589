using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Text.Json;
using Dispatch.Client;
using Dispatch.Contracts;

namespace Dispatch.Cli;

internal sealed record SwarmSettings(
    Uri Server,
    IReadOnlyList<Uri> Nodes,
    int Stations,
    double CallsPerSecond,
    int Seconds,
    int Subnets,
    string User,
    string Password,
    IReadOnlyList<BedDevice> Beds,
    SwarmThresholds Thresholds);

/// <summary>
/// One node at a moment: its /ws-health (connections, working set) and, when the swarm's user is an
/// administrator, its live managed heap after a full GC (POST /api/node/heap).
/// </summary>
internal sealed record NodeHealth(Uri Node, long Connections, double MemoryMb, long? ManagedBytes = null);

/// <summary>
/// The load generator: <see cref="SwarmSettings.Stations"/> station connections through nginx
/// (<see cref="RawStation"/>: bare WebSockets, so the figures are the server's, not a client library's),
/// spread over loopback /24s (ip_hash keys on the first three octets) and over the wards of the
/// bed devices; calls raised through the API at a steady rate; every delivery timed from the
/// moment its raise was sent to its arrival at a station, on this process's clock. At the end
/// the swarm cancels the calls it raised, leaving the boards as it found them.
/// </summary>
internal sealed class Swarm(SwarmSettings settings, TextWriter progress) : IDisposable
{
    private const int ConnectConcurrency = 64;
    private const int RaisesInFlight = 256;
    private static readonly TimeSpan s_idleSettle = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_deliverySettle = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<(long CallId, long At)> _arrivals = new();
    private readonly ConcurrentDictionary<long, (long SentAt, long AnsweredAt, BedDevice Bed)> _raised = new();
    private readonly ConcurrentDictionary<int, int> _stationsPerWard = new();
    private readonly ConcurrentDictionary<int, long> _openAtBed = new();
    private readonly ConcurrentDictionary<int, SemaphoreSlim> _bedTurns = new();
    private readonly ConcurrentBag<RawStation> _stations = [];

    // The first bed of every ward, then the second of every ward, …: calls spread over the hospital, as a ward's beds are not pressed in a row.
    private readonly List<BedDevice> _pressOrder = [.. settings.Beds.GroupBy(b => b.WardId)
        .SelectMany(ward => ward.Select((bed, i) => (bed, i))).OrderBy(b => b.i).ThenBy(b => b.bed.WardId).Select(b => b.bed)];
    private readonly HttpClient _http = new();
    private readonly DispatchApi _api = new(settings.Server);
    private readonly Uri _hub = new UriBuilder(new Uri(settings.Server, DispatchHubMethods.Route)) { Scheme = settings.Server.Scheme == "https" ? "wss" : "ws" }.Uri;
    private int _connected;
    private int _failed;
    private int _drops;
    private int _raiseFailed;
    private string? _firstFailure;
    private string _phase = "signing in";

    public async Task<SwarmReport> RunAsync(CancellationToken ct)
    {
        var wards = settings.Beds.Select(b => b.WardId).Distinct().Order().ToList();
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reporter = ReportProgressAsync(reporting.Token);
        try
        {
            var session = await _api.SignInAsync(settings.User, settings.Password, ct);

            // A node's first connections also pay one-time costs (code compiled, caches filled):
            // memory per connection is measured over the stations after the first tenth.
            _phase = "connecting";
            var connectClock = Stopwatch.StartNew();
            var firstTenth = Math.Max(1, settings.Stations / 10);
            await ConnectAsync(session.Token, wards, 0, firstTenth, ct);
            var before = await NodeHealthAsync(session.Token, ct);
            await ConnectAsync(session.Token, wards, firstTenth, settings.Stations, ct);
            var connectTime = connectClock.Elapsed;
            _phase = "idle";
            await Task.Delay(s_idleSettle, ct);
            var idle = await NodeHealthAsync(session.Token, ct);

            _phase = "raising";
            var raiseClock = Stopwatch.StartNew();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var gcPauses = WorstGcPauseShareAsync(sampling.Token);
            await RaiseAsync(ct);
            var raiseTime = raiseClock.Elapsed;
            _phase = "settling";
            await SettleAsync(ct);
            var generatorCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore) / raiseClock.Elapsed;
            await sampling.CancelAsync();
            var worstGcPause = await gcPauses;

            return SwarmReport.From(settings, new SwarmFigures(
                _connected, _failed, _firstFailure, _drops, connectTime, before, idle,
                _raised.Count, _raiseFailed, raiseTime, Deliveries(), generatorCpu, worstGcPause));
        }
        finally
        {
            _phase = "cleaning up";
            await CleanUpAsync();
            await reporting.CancelAsync();
            await reporter;
        }
    }

    /// <summary>Connects stations <paramref name="from"/> to <paramref name="to"/> (exclusive).</summary>
    private async Task ConnectAsync(string token, List<int> wards, int from, int to, CancellationToken ct)
    {
        using var connecting = new SemaphoreSlim(ConnectConcurrency);
        await Task.WhenAll(Enumerable.Range(from, to - from).Select(async i =>
        {
            await connecting.WaitAsync(ct);
            try
            {
                await ConnectStationAsync(token, wards[i % wards.Count], i % settings.Subnets, ct);
            }
            finally
            {
                connecting.Release();
            }
        }));
    }

    /// <summary>Stations of subnet n leave from 127.0.(1 + n).10.</summary>
    private static IPAddress SourceAddress(int subnet) => IPAddress.Parse($"127.0.{1 + subnet}.10");

    private async Task ConnectStationAsync(string token, int wardId, int subnet, CancellationToken ct)
    {
        RawStation? station = null;
        try
        {
            var socket = await WireSocket.ConnectAsync(_hub, SourceAddress(subnet), token, ct);
            station = new RawStation(socket, wardId, (callId, at) => _arrivals.Enqueue((callId, at)));
            station.Dropped += () => Interlocked.Increment(ref _drops);
            await station.StartAsync(ct);
            _stations.Add(station);
            _stationsPerWard.AddOrUpdate(wardId, 1, (_, n) => n + 1);
            Interlocked.Increment(ref _connected);
        }
        catch (Exception e) when (e is IOException or SocketException or AuthenticationException or InvalidOperationException or WebSocketException)
        {
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstFailure, $"{SourceAddress(subnet)}: {e.GetType().Name}: {e.Message}", null);
            if (station is not null)
            {
                await station.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Presses bed buttons in turn at the set rate; the schedule is fixed, so a slow server shows as
    /// latency, not a lower rate. At 0 calls/s the stations are held idle for the duration.
    /// </summary>
    private async Task RaiseAsync(CancellationToken ct)
    {
        if (settings.CallsPerSecond == 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(settings.Seconds), ct);
            return;
        }
        var total = (int)Math.Round(settings.CallsPerSecond * settings.Seconds);
        var interval = TimeSpan.FromSeconds(1 / settings.CallsPerSecond);
        using var inFlight = new SemaphoreSlim(RaisesInFlight);
        var raises = new List<Task>(total);
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = interval * i - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, ct);
            }
            await inFlight.WaitAsync(ct);
            raises.Add(RaiseOneAsync(_pressOrder[i % _pressOrder.Count], inFlight, ct));
        }
        await Task.WhenAll(raises);
    }

    /// <summary>
    /// Clears the bed's previous swarm call at the bedside, then presses again: a bed has one open
    /// call per kind, so a press on an open call would re-announce it rather than raise a new one.
    /// </summary>
    private async Task RaiseOneAsync(BedDevice bed, SemaphoreSlim inFlight, CancellationToken ct)
    {
        var turn = _bedTurns.GetOrAdd(bed.BedId, _ => new SemaphoreSlim(1));
        await turn.WaitAsync(ct);
        try
        {
            if (_openAtBed.TryRemove(bed.BedId, out var previous))
            {
                await _api.CancelCallAsync(previous, bed.DeviceKey, ct);
            }
            var sentAt = Stopwatch.GetTimestamp();
            var call = await _api.RaiseCallAsync(bed.BedId, CallKinds.Normal, bed.DeviceKey, cancellationToken: ct);
            if (call.RepeatCount > 0)
            {
                // The bed already had an open call that is not the swarm's: it was announced again, and is left alone.
                Interlocked.Increment(ref _raiseFailed);
                return;
            }
            _raised[call.Id] = (sentAt, Stopwatch.GetTimestamp(), bed);
            _openAtBed[bed.BedId] = call.Id;
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref _raiseFailed);
        }
        finally
        {
            turn.Release();
            inFlight.Release();
        }
    }

    private long ExpectedDeliveries => _raised.Values.Sum(r => (long)_stationsPerWard.GetValueOrDefault(r.Bed.WardId));

    /// <summary>Waits (bounded) until every station of each call's ward has it.</summary>
    private async Task SettleAsync(CancellationToken ct)
    {
        var expected = ExpectedDeliveries;
        var settle = Stopwatch.StartNew();
        while (_arrivals.Count < expected && settle.Elapsed < s_deliverySettle)
        {
            await Task.Delay(100, ct);
        }
    }

    private Deliveries Deliveries()
    {
        var latenciesMs = new List<double>();
        var pushesMs = new List<double>();
        var perCall = new Dictionary<long, int>();
        var firstSent = _raised.IsEmpty ? 0 : _raised.Values.Min(r => r.SentAt);
        var bySecond = new Dictionary<int, List<double>>();
        foreach (var (callId, at) in _arrivals)
        {
            if (_raised.TryGetValue(callId, out var raised))
            {
                var latencyMs = Stopwatch.GetElapsedTime(raised.SentAt, at).TotalMilliseconds;
                latenciesMs.Add(latencyMs);
                // Negative when the station had it before the raise's answer was back.
                pushesMs.Add(Stopwatch.GetElapsedTime(raised.AnsweredAt, at).TotalMilliseconds);
                perCall[callId] = perCall.GetValueOrDefault(callId) + 1;
                var second = (int)Stopwatch.GetElapsedTime(firstSent, raised.SentAt).TotalSeconds;
                (bySecond.TryGetValue(second, out var those) ? those : bySecond[second] = []).Add(latencyMs);
            }
        }
        long lost = 0, duplicated = 0;
        foreach (var (callId, (_, _, bed)) in _raised)
        {
            var expected = _stationsPerWard.GetValueOrDefault(bed.WardId);
            var received = perCall.GetValueOrDefault(callId);
            lost += Math.Max(0, expected - received);
            duplicated += Math.Max(0, received - expected);
        }
        latenciesMs.Sort();
        pushesMs.Sort();
        List<double> answersMs = [.. _raised.Values.Select(r => Stopwatch.GetElapsedTime(r.SentAt, r.AnsweredAt).TotalMilliseconds).Order()];
        // When the slowest calls were raised: a tail that recurs with a period points at periodic work.
        var slowestSeconds = bySecond
            .Select(second => (Second: second.Key, P99Ms: Cli.Deliveries.PercentileOf([.. second.Value.Order()], 0.99)))
            .OrderByDescending(second => second.P99Ms).Take(3).ToList();
        return new Deliveries(ExpectedDeliveries, latenciesMs.Count, lost, duplicated, latenciesMs,
            _stations.Sum(s => s.WireDuplicates), _stations.Sum(s => s.WireOutOfOrder), slowestSeconds, answersMs, pushesMs);
    }

    private async Task<IReadOnlyList<NodeHealth>> NodeHealthAsync(string token, CancellationToken ct)
    {
        var health = new List<NodeHealth>();
        foreach (var node in settings.Nodes)
        {
            using var body = JsonDocument.Parse(await _http.GetStringAsync(new Uri(node, "/ws-health"), ct));
            health.Add(new NodeHealth(node, body.RootElement.GetProperty("connections").GetInt64(), body.RootElement.GetProperty("memory_mb").GetDouble(),
                await ManagedHeapAsync(node, token, ct)));
        }
        return health;
    }

    /// <summary>
    /// The largest share of any one second that a node's garbage collector paused it (its
    /// /ws-health gc_pause_ms, read every second) while the swarm raises and settles: a pause
    /// stalls every station of the node. NaN when no two readings were taken.
    /// </summary>
    private async Task<double> WorstGcPauseShareAsync(CancellationToken ct)
    {
        var last = new Dictionary<Uri, (long At, double PauseMs)>();
        var worst = double.NaN;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            do
            {
                foreach (var node in settings.Nodes)
                {
                    using var body = JsonDocument.Parse(await _http.GetStringAsync(new Uri(node, "/ws-health"), ct));
                    var reading = (At: Stopwatch.GetTimestamp(), PauseMs: body.RootElement.GetProperty("gc_pause_ms").GetDouble());
                    if (last.TryGetValue(node, out var previous))
                    {
                        var share = (reading.PauseMs - previous.PauseMs) / Stopwatch.GetElapsedTime(previous.At, reading.At).TotalMilliseconds;
                        worst = double.IsNaN(worst) ? share : Math.Max(worst, share);
                    }
                    last[node] = reading;
                }
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
        return worst;
    }

    /// <summary>The node's live managed heap after a full GC; null when the swarm's user may not ask (not an administrator).</summary>
    private async Task<long?> ManagedHeapAsync(Uri node, string token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, "/api/node/heap"));
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return null;
        }
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("managedBytes").GetInt64();
    }

    /// <summary>Cancels the swarm's open calls at their beds and closes the stations.</summary>
    private async Task CleanUpAsync()
    {
        using var inFlight = new SemaphoreSlim(32);
        await Task.WhenAll(_openAtBed.Select(async open =>
        {
            await inFlight.WaitAsync();
            try
            {
                await _api.CancelCallAsync(open.Value, _raised[open.Value].Bed.DeviceKey);
            }
            catch (HttpRequestException)
            {
                // The server is gone; its calls stay open, as a real bed's would.
            }
            finally
            {
                inFlight.Release();
            }
        }));
        await Task.WhenAll(_stations.Select(s => s.DisposeAsync().AsTask()));
    }

    public void Dispose()
    {
        _http.Dispose();
        _api.Dispose();
    }

    private async Task ReportProgressAsync(CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                await progress.WriteLineAsync(
                    $"[{clock.Elapsed.TotalSeconds,5:F0} s] {_phase,-11} stations {_connected:N0}/{settings.Stations:N0} ({_failed} failed, {_drops} drops)  " +
                    $"calls {_raised.Count:N0} ({_raiseFailed} failed)  deliveries {_arrivals.Count:N0}");
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }
}
