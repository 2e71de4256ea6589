using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dispatch.IntegrationTests;

/// <summary>
/// A paging server on loopback, written from the protocols' texts. TAP 1.8: "ID=" for a CR, ACK
/// and ESC [p for ESC PG1, then each block's checksum checked and, while <see cref="Answering"/>,
/// the page answered "211" and ACK. ESPA 4.4.4 (address 2): ACK to its selection (EOT 2 ENQ), each
/// block's BCC checked and, while answering, ACK. Not answering, it stays silent (a paging server
/// that has hung). Records every page block it receives.
/// </summary>
public sealed class FakePagingTerminal : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedPage> _pages = new();
    private readonly Task _serving;

    /// <summary>A page block as received: its fields, whether its checksum was right, and when.</summary>
    public sealed record ReceivedPage(string PagerId, string Text, bool ChecksumValid, DateTimeOffset At);

    private readonly string _protocol;

    /// <param name="protocol">"tap" or "espa".</param>
    public FakePagingTerminal(string protocol = "tap")
    {
        _protocol = protocol;
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
                    await (_protocol == "tap" ? ServeSessionAsync(client.GetStream()) : ServeEspaAsync(client.GetStream()));
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

    /// <summary>ESPA: selected (2 ENQ), ACK; each SOH … ETX BCC block checked and recorded; EOT ends the session.</summary>
    private async Task ServeEspaAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var bytes = new byte[512];
        while (true)
        {
            var n = await stream.ReadAsync(bytes, _stop.Token);
            if (n == 0)
            {
                return;
            }
            buffer.AddRange(bytes[..n]);
            while (buffer.Count > 0)
            {
                if (buffer is [0x04, (byte)'2', 0x05, ..])
                {
                    buffer.RemoveRange(0, 3);
                    await stream.WriteAsync(new byte[] { 0x06 }, _stop.Token);
                }
                else if (buffer[0] == 0x01 && buffer.IndexOf(0x03) is var etx and > 0 && buffer.Count > etx + 1)
                {
                    var body = buffer.GetRange(1, etx).ToArray();
                    var bccValid = body.Aggregate(0, (bcc, b) => bcc ^ b) == buffer[etx + 1];
                    buffer.RemoveRange(0, etx + 2);
                    var records = Encoding.Latin1.GetString(body[2..^1]).Split('\u001e').Select(r => r.Split('\u001f', 2))
                        .ToDictionary(r => r[0], r => r.Length > 1 ? r[1] : "");
                    _pages.Enqueue(new ReceivedPage(records.GetValueOrDefault("1", ""), records.GetValueOrDefault("2", ""), bccValid, DateTimeOffset.UtcNow));
                    if (Answering)
                    {
                        await stream.WriteAsync(new byte[] { 0x06 }, _stop.Token);
                    }
                }
                else if (buffer[0] == 0x04 && buffer.Count == 1)
                {
                    return; // EOT: the session is over
                }
                else if (buffer[0] != 0x01 && buffer[0] != 0x04)
                {
                    buffer.RemoveAt(0);
                }
                else
                {
                    break; // the rest has not arrived yet
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
