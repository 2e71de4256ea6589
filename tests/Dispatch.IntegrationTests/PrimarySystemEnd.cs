using System.Diagnostics;
using System.Text;

namespace Dispatch.IntegrationTests;

/// <summary>
/// The primary nurse-call system's end of a line (a TCP connection or a pty), framing what it sends
/// by hand from the TAP 1.8 and ESPA 4.4.4 texts, and reading what the gateway answers.
/// </summary>
public sealed class PrimarySystemEnd(Stream stream) : IAsyncDisposable
{
    private readonly StringBuilder _received = new();
    private readonly byte[] _buffer = new byte[256];

    public const char Soh = '\u0001', Stx = '\u0002', Etx = '\u0003', Eot = '\u0004', Enq = '\u0005', Ack = '\u0006';
    public const char Nak = '\u0015', Esc = '\u001b', Rs = '\u001e', Us = '\u001f';

    /// <summary>A TAP block: STX, pager id CR, message CR, ETX, the sum of its 7-bit characters' low 12 bits as three nibbles + '0', CR.</summary>
    public static string TapBlock(string pagerId, string message)
    {
        var block = $"{Stx}{pagerId}\r{message}\r{Etx}";
        var sum = block.Sum(c => c & 0x7F);
        return block + (char)('0' + ((sum >> 8) & 0xF)) + (char)('0' + ((sum >> 4) & 0xF)) + (char)('0' + (sum & 0xF)) + "\r";
    }

    /// <summary>An ESPA call to pager (header 1): records call address (1) and display message (2), BCC the XOR of all after SOH through ETX.</summary>
    public static string EspaCall(string address, string message)
    {
        var body = $"1{Stx}1{Us}{address}{Rs}2{Us}{message}{Rs}6{Us}3{Etx}";
        return Soh + body + (char)body.Aggregate(0, (bcc, c) => bcc ^ c);
    }

    public async Task SendAsync(string text)
    {
        await stream.WriteAsync(Encoding.Latin1.GetBytes(text));
        await stream.FlushAsync();
    }

    /// <summary>Reads until what arrived since the last call ends with <paramref name="ending"/>; returns it and starts afresh.</summary>
    public async Task<string> ReadUntilAsync(string ending, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        while (!_received.ToString().EndsWith(ending, StringComparison.Ordinal))
        {
            using var cts = new CancellationTokenSource(limit - clock.Elapsed is { Ticks: > 0 } left ? left : TimeSpan.Zero);
            try
            {
                var n = await stream.ReadAsync(_buffer, cts.Token);
                if (n == 0)
                {
                    throw new EndOfStreamException($"The gateway closed the line; it had sent {Show(_received.ToString())}.");
                }
                _received.Append(Encoding.Latin1.GetString(_buffer, 0, n));
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {Show(ending)} from the gateway within {limit.TotalSeconds} s; it sent {Show(_received.ToString())}.");
            }
        }
        var text = _received.ToString();
        _received.Clear();
        return text;
    }

    /// <summary>Control characters by name, for messages.</summary>
    public static string Show(string text) => string.Concat(text.Select(c => c switch
    {
        Soh => "<SOH>", Stx => "<STX>", Etx => "<ETX>", Eot => "<EOT>", Enq => "<ENQ>", Ack => "<ACK>", Nak => "<NAK>",
        Esc => "<ESC>", Rs => "<RS>", Us => "<US>", '\r' => "<CR>", < ' ' => $"<{(int)c:X2}>", _ => c.ToString(),
    }));

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}
