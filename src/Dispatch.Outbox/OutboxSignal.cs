using System.Threading.Channels;

namespace Dispatch.Outbox;

/// <summary>
/// Wakes a relay (the in-process one, or the bridge on a node's WAKE) so that delivery latency is
/// not bounded by the poll interval.
/// Notifications coalesce: many commits before the relay runs cause one pass.
/// </summary>
public sealed class OutboxSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Notify() => _channel.Writer.TryWrite(true);

    /// <summary>Waits for a notification or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await _channel.Reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The poll interval elapsed: poll anyway.
        }
        _channel.Reader.TryRead(out _);
    }
}
