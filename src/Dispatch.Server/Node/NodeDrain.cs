using System.Diagnostics;
using Dispatch.Contracts;
using Dispatch.Server.Observability;
using Dispatch.Server.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Node;

/// <summary>
/// Moves this node's stations to the other nodes before it restarts. Once draining, the node
/// answers /healthz with 503 and refuses new hub connections (nginx then tries the next node);
/// its connected stations are asked to move batch by batch (<see cref="DrainPlan"/>), and a batch
/// starts only when the one before has left, that is, has connected elsewhere: clients open their
/// new connection before closing this one. Calls keep flowing on the old connections meanwhile.
/// </summary>
public sealed partial class NodeDrain(
    ConnectionRegistry connections,
    NodeStatus node,
    IHubContext<DispatchHub, IDispatchClient> hub,
    ShutdownNotifier shutdown,
    DispatchMetrics metrics,
    IOptions<WatchdogOptions> options,
    IOptions<RealtimeOptions> realtime,
    TimeProvider time,
    ILogger<NodeDrain> logger)
{
    private static readonly TimeSpan s_leavingCheck = TimeSpan.FromMilliseconds(50);
    private readonly TaskCompletionSource<string> _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Completes with the reason when an admin asks this node to drain (the watchdog runs it).</summary>
    public Task<string> Requested => _requested.Task;

    /// <summary>
    /// An admin's drain: the node is draining from this moment (/healthz 503, new hub connections
    /// refused), before the answer goes out; the watchdog then moves the stations. False when the
    /// node had already left serving.
    /// </summary>
    public bool Request(string reason) => node.TryLeave(NodeState.Draining) && _requested.TrySetResult(reason);

    /// <summary>
    /// Runs the drain to its end or its deadline; whoever is left is told server_shutdown. False
    /// when the node was already stopping (SIGTERM came first).
    /// </summary>
    public async Task<bool> RunAsync(string reason, CancellationToken ct)
    {
        var settings = options.Value;
        // An admin's request has already left serving; a memory drain leaves it here.
        if (!node.TryLeave(NodeState.Draining) && node.State != NodeState.Draining)
        {
            return false;
        }
        metrics.DrainStarted();
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(settings.DeadlineSeconds));

        // A single node has no other node to move its stations to: they reconnect after the restart.
        var batches = realtime.Value.Mode == RealtimeMode.InProcess ? [] : DrainPlan.Batches(
            connections.Snapshot.Select(c => (c.ConnectionId, (IReadOnlySet<int>)c.Wards)).ToList(), settings.BatchSize);
        Log.Draining(logger, reason, (int)connections.Current, batches.Count);
        try
        {
            for (var i = 0; i < batches.Count; i++)
            {
                var batchStarted = time.GetTimestamp();
                var batch = batches[i].Where(connections.IsConnected).ToList();
                var notice = new ReconnectNotice(reason, settings.BatchIntervalMs);
                await hub.Clients.Clients(batch).ReconnectElsewhere(notice);
                metrics.DrainBatchSent(batch.Count);
                var stayed = await WaitUntilGoneAsync(batch, TimeSpan.FromMilliseconds(settings.BatchIntervalMs + settings.MovePatienceMs), deadline.Token);
                Log.BatchMoved(logger, i + 1, batches.Count, batch.Count - stayed, stayed, clock.ElapsedMilliseconds);
                var rest = TimeSpan.FromMilliseconds(settings.BatchIntervalMs) - time.GetElapsedTime(batchStarted);
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, time, deadline.Token);
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            Log.DeadlinePassed(logger, settings.DeadlineSeconds, (int)connections.Current);
        }

        await shutdown.SayGoodbyeAsync(ct);
        Log.Drained(logger, clock.ElapsedMilliseconds, (int)connections.Current);
        return true;
    }

    /// <summary>Waits for the batch to leave; closes the ones still here after the patience (they reconnect by themselves). Returns how many were closed.</summary>
    private async Task<int> WaitUntilGoneAsync(IReadOnlyList<string> batch, TimeSpan patience, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (batch.Any(connections.IsConnected) && time.GetElapsedTime(started) < patience)
        {
            await Task.Delay(s_leavingCheck, time, ct);
        }
        var stayed = connections.Snapshot.Where(c => batch.Contains(c.ConnectionId)).ToList();
        foreach (var connection in stayed)
        {
            connection.Context.Abort();
        }
        return stayed.Count;
    }

    private static partial class Log
    {
        [LoggerMessage(1600, LogLevel.Warning, "Draining ({Reason}): moving {Connections} connections in {Batches} batches")]
        public static partial void Draining(ILogger logger, string reason, int connections, int batches);

        [LoggerMessage(1601, LogLevel.Information, "Drain batch {Batch}/{Batches}: {Moved} moved, {Closed} did not and were closed, at {ElapsedMs} ms")]
        public static partial void BatchMoved(ILogger logger, int batch, int batches, int moved, int closed, long elapsedMs);

        [LoggerMessage(1602, LogLevel.Warning, "The drain deadline ({Seconds} s) passed with {Connections} connections left")]
        public static partial void DeadlinePassed(ILogger logger, int seconds, int connections);

        [LoggerMessage(1603, LogLevel.Warning, "Drained in {ElapsedMs} ms ({Connections} connections left); exiting for a restart")]
        public static partial void Drained(ILogger logger, long elapsedMs, int connections);
    }
}
