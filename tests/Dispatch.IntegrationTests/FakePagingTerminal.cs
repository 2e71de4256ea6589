using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dispatch.IntegrationTests;

/// <summary>
/// A TAP 1.8 paging terminal on loopback, written from the TAP text: "ID=" for a CR, ACK and
/// ESC [p for ESC PG1, then each block's checksum checked and, while <see cref="Answering"/>, the
/// page answered "211" and ACK (otherwise not answered at all: a paging server that has hung).
/// Records every page block it receives.
/// </summary>
public sealed class FakePagingTerminal : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedPage> _pages = new();
    private readonly Task _serving;

    /// <summary>A page block as received: its fields, whether its checksum was right, and when.</summary>
    public sealed record ReceivedPage(string PagerId, string Text, bool ChecksumValid, DateTimeOffset At);

    public FakePagingTerminal()
    {
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private volatile bool _answering = true;

    public bool Answering { get => _answering; set => _answering = value; }

    public IReadOnlyList<ReceivedPage> PagesTo(string pagerId) => [.. _pages.Where(p => p.PagerId == pagerId)];

    /// <summary>Waits (bounded) until this many pages to the pager have arrived.</summary>
    public async Task<IReadOnlyList<ReceivedPage>> WaitForPagesAsync(string pagerId, int count, TimeSpan timeout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (PagesTo(pagerId).Count < count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{PagesTo(pagerId).Count} of {count} pages to pager {pagerId} arrived within {timeout.TotalSeconds} s.");
            }
            await Task.Delay(20);
        }
        return PagesTo(pagerId);
    }

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                try
                {
                    await ServeSessionAsync(client.GetStream());
                }
                catch (IOException)
                {
                    // The gateway went away mid-session (killed, say): wait for the next one.
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeSessionAsync(NetworkStream stream)
    {
        var buffer = new StringBuilder();
        var bytes = new byte[512];
        while (true)
        {
            var n = await stream.ReadAsync(bytes, _stop.Token);
            if (n == 0)
            {
                return;
            }
            buffer.Append(Encoding.Latin1.GetString(bytes, 0, n));
            while (TakeLine(buffer) is { } line)
            {
                var reply = line switch
                {
                    "" => "ID=",
                    ['\u001b', 'P', 'G', '1', ..] => "110 1.8\r\u0006\r\u001b[p\r",
                    ['\u0004', ..] => "\u001b\u0004\r",
                    ['\u0002', ..] => Page(line),
                    _ => null,
                };
                if (reply is not null)
                {
                    await stream.WriteAsync(Encoding.Latin1.GetBytes(reply), _stop.Token);
                }
            }
        }
    }

    /// <summary>A block is STX id CR text CR ETX checksum CR: taken whole, up to its last CR.</summary>
    private static string? TakeLine(StringBuilder buffer)
    {
        var text = buffer.ToString();
        var end = text.StartsWith('\u0002') ? text.IndexOf('\u0003', StringComparison.Ordinal) is var etx and >= 0 && text.Length >= etx + 5 ? etx + 4 : -1
            : text.IndexOf('\r', StringComparison.Ordinal);
        if (end < 0)
        {
            return null;
        }
        buffer.Remove(0, end + 1);
        return text[..end];
    }

    private string? Page(string block)
    {
        var etx = block.IndexOf('\u0003', StringComparison.Ordinal);
        var sum = block[..(etx + 1)].Sum(c => c & 0x7F);
        var expected = $"{(char)('0' + ((sum >> 8) & 0xF))}{(char)('0' + ((sum >> 4) & 0xF))}{(char)('0' + (sum & 0xF))}";
        var fields = block[1..etx].Split('\r');
        _pages.Enqueue(new ReceivedPage(fields[0], fields.Length > 1 ? fields[1] : "", block[(etx + 1)..] == expected, DateTimeOffset.UtcNow));
        return Answering ? "211 Page sent\r\u0006\r" : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _serving;
        _stop.Dispose();
    }
}
