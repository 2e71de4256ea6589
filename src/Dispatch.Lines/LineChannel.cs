using System.Threading.Channels;

namespace Dispatch.Lines;

/// <summary>
/// One open connection of a line (a TCP connection or a serial port) as the protocols use it: a
/// byte at a time with a time limit, and whole frames written. One pump owns the stream's reads,
/// so a read that timed out loses nothing; the line is "heard" whenever a byte arrives.
/// </summary>
public sealed class LineChannel : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly Action _heard;
    private readonly Channel<byte[]> _received = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private byte[] _chunk = [];
    private int _next;

    public LineChannel(Stream stream, Action heard)
    {
        _stream = stream;
        _heard = heard;
        _pump = PumpAsync();
    }

    /// <summary>The next byte, or null when none came within the timeout. Throws EndOfStreamException once the line is closed.</summary>
    public async Task<byte?> ReadByteAsync(TimeSpan timeout, CancellationToken ct)
    {
        if (_next < _chunk.Length)
        {
            return _chunk[_next++];
        }
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        try
        {
            if (!await _received.Reader.WaitToReadAsync(timer.Token))
            {
                throw new EndOfStreamException("The line was closed by the other end.");
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
        _chunk = await _received.Reader.ReadAsync(ct);
        _next = 1;
        return _chunk[0];
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken ct)
    {
        await _stream.WriteAsync(frame, ct);
        await _stream.FlushAsync(ct);
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[512];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, _stop.Token);
                if (n == 0)
                {
                    break;
                }
                _heard();
                _received.Writer.TryWrite(buffer[..n]);
            }
            _received.Writer.TryComplete();
        }
        catch (Exception e)
        {
            // Closed under us (disposed, cable pulled, connection reset): the reader learns it.
            _received.Writer.TryComplete(e is OperationCanceledException ? null : e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _stream.DisposeAsync();
        await _pump;
        _stop.Dispose();
    }
}
