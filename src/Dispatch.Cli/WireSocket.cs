using System.Buffers.Binary;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Dispatch.Cli;

/// <summary>
/// The client end of a WebSocket (RFC 6455) with only what a swarm station needs: the upgrade with
/// a bearer token, masked text frames out, and in, the text of the data frames as it arrives, their
/// headers stripped in place. Messages are not assembled: SignalR ends every record with 0x1E, and
/// the station splits on that. <see cref="ClientWebSocket"/>'s HTTP connection, stream and message
/// layers cost the generator more CPU per push than the reading itself (docs/benchmarks.md).
/// </summary>
internal sealed class WireSocket : IDisposable
{
    private const byte Continuation = 0x0, Text = 0x1, Close = 0x8, Ping = 0x9, Pong = 0xA;

    private readonly Stream _stream;
    private readonly SemaphoreSlim _sending = new(1);
    private readonly byte[] _buffer = new byte[8192];
    private int _undecoded;
    private int _end;
    private long _payloadLeft;
    private byte[]? _pongDue;
    private volatile bool _closed;

    private WireSocket(Stream stream) => _stream = stream;

    /// <summary>False once a close frame arrived, or the socket was closed or disposed.</summary>
    public bool IsOpen => !_closed;

    /// <summary>
    /// Connects from <paramref name="local"/> (so that nginx's ip_hash sees the station's /24) to
    /// <paramref name="uri"/> (ws or wss) and upgrades, sending <paramref name="token"/> as a bearer header.
    /// </summary>
    public static async Task<WireSocket> ConnectAsync(Uri uri, IPAddress local, string? token, CancellationToken ct)
    {
        var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            tcp.Bind(new IPEndPoint(local, 0));
            await tcp.ConnectAsync(uri.Host, uri.Port, ct);
            stream = new NetworkStream(tcp, ownsSocket: true);
            if (uri.Scheme == "wss")
            {
                var tls = new SslStream(stream);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = uri.IdnHost }, ct);
            }
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = $"GET {uri.PathAndQuery} HTTP/1.1\r\nHost: {uri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" +
                (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request), ct);
            var socket = new WireSocket(stream);
            await socket.ReadUpgradeAsync(key, ct);
            return socket;
        }
        catch
        {
            if (stream is null)
            {
                tcp.Dispose();
            }
            else
            {
                await stream.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Reads the server's answer to the upgrade; what follows its headers is the first frames.</summary>
    private async Task ReadUpgradeAsync(string key, CancellationToken ct)
    {
        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(0, _end).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (_end == _buffer.Length)
            {
                throw new WebSocketException(WebSocketError.HeaderError, $"The server's answer to the upgrade has more than {_buffer.Length} bytes of headers.");
            }
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (read == 0)
            {
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection before answering the upgrade.");
            }
            _end += read;
        }
        var lines = Encoding.ASCII.GetString(_buffer, 0, headerEnd).Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || status[1] != "101")
        {
            throw new WebSocketException(WebSocketError.NotAWebSocket, $"The server returned status code '{(status.Length > 1 ? status[1] : lines[0])}' when status code '101' was expected.");
        }
        // RFC 6455 (4.2.2) defines the accept value with SHA-1: a check that the server speaks WebSocket, not a secret.
#pragma warning disable CA5350
        var expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
#pragma warning restore CA5350
        var accept = lines.Skip(1).Select(l => l.Split(':', 2)).FirstOrDefault(h => h.Length == 2 && h[0].Trim().Equals("Sec-WebSocket-Accept", StringComparison.OrdinalIgnoreCase));
        if (accept?[1].Trim() != expected)
        {
            throw new WebSocketException(WebSocketError.HeaderError, "The server's Sec-WebSocket-Accept does not match the key sent.");
        }
        _undecoded = headerEnd + 4;
    }

    /// <summary>
    /// The text that arrived next: the payloads of the data frames decoded from one or more reads,
    /// in order, valid until the next call. Empty once the server has sent its close frame. Pings
    /// are answered; pongs (a server's keep-alive) are skipped.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> ReceiveTextAsync(CancellationToken ct)
    {
        while (true)
        {
            var text = Decode();
            if (_pongDue is { } payload)
            {
                _pongDue = null;
                await SendFrameAsync(Pong, payload, ct);
            }
            if (text > 0 || _closed)
            {
                return _buffer.AsMemory(0, text);
            }
            // What is left undecoded (part of a header or of a control frame) goes to the front.
            _end -= _undecoded;
            _buffer.AsSpan(_undecoded, _end).CopyTo(_buffer);
            _undecoded = 0;
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (read == 0)
            {
                _closed = true;
                throw new WebSocketException(WebSocketError.ConnectionClosedPrematurely, "The server closed the connection without a close frame.");
            }
            _end += read;
        }
    }

    /// <summary>
    /// Decodes the frames in the buffer from <see cref="_undecoded"/>, moving the data frames'
    /// payloads to its front (a payload never moves forward past its own header), and returns
    /// their length. Stops at a frame whose header, or control frame, is not all in yet.
    /// </summary>
    private int Decode()
    {
        int read = _undecoded, written = 0;
        while (read < _end && !_closed)
        {
            if (_payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, _end - read);
                _buffer.AsSpan(read, take).CopyTo(_buffer.AsSpan(written));
                written += take;
                read += take;
                _payloadLeft -= take;
                continue;
            }
            if (!TryReadHeader(_buffer.AsSpan(read, _end - read), out var opcode, out var headerLength, out var payloadLength))
            {
                break;
            }
            if (opcode >= Close)
            {
                if (payloadLength > 125)
                {
                    throw new WebSocketException(WebSocketError.Faulted, $"A control frame of {payloadLength} bytes (at most 125).");
                }
                if (_end - read < headerLength + payloadLength)
                {
                    break;
                }
                var payload = _buffer.AsSpan(read + headerLength, (int)payloadLength);
                if (opcode == Close)
                {
                    _closed = true;
                }
                else if (opcode == Ping)
                {
                    _pongDue = payload.ToArray();
                }
                read += headerLength + (int)payloadLength;
                continue;
            }
            if (opcode is not (Text or Continuation))
            {
                throw new WebSocketException(WebSocketError.InvalidMessageType, $"A frame of opcode {opcode} where SignalR's JSON protocol sends only text.");
            }
            read += headerLength;
            _payloadLeft = payloadLength;
        }
        _undecoded = read;
        return written;
    }

    private static bool TryReadHeader(ReadOnlySpan<byte> bytes, out byte opcode, out int headerLength, out long payloadLength)
    {
        opcode = 0;
        headerLength = 0;
        payloadLength = 0;
        if (bytes.Length < 2)
        {
            return false;
        }
        if ((bytes[0] & 0x70) != 0 || (bytes[1] & 0x80) != 0)
        {
            throw new WebSocketException(WebSocketError.Faulted, "A frame with reserved bits or a mask, neither of which a server may send here.");
        }
        opcode = (byte)(bytes[0] & 0x0F);
        payloadLength = bytes[1] & 0x7F;
        headerLength = payloadLength switch { 126 => 4, 127 => 10, _ => 2 };
        if (bytes.Length < headerLength)
        {
            return false;
        }
        payloadLength = payloadLength switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
            127 => (long)BinaryPrimitives.ReadUInt64BigEndian(bytes[2..]),
            _ => payloadLength,
        };
        return true;
    }

    /// <summary>Sends <paramref name="text"/> as one text frame.</summary>
    public Task SendTextAsync(ReadOnlyMemory<byte> text, CancellationToken ct) => SendFrameAsync(Text, text, ct);

    /// <summary>Sends a close frame (1000, normal closure); the connection is then closed by <see cref="Dispose"/>.</summary>
    public async Task CloseAsync(CancellationToken ct)
    {
        if (!_closed)
        {
            await SendFrameAsync(Close, new byte[] { 0x03, 0xE8 }, ct);
            _closed = true;
        }
    }

    /// <summary>A client's frames are masked (RFC 6455, 5.3); each is written whole, one at a time.</summary>
    private async Task SendFrameAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var frame = new byte[14 + payload.Length];
        frame[0] = (byte)(0x80 | opcode);
        int header;
        if (payload.Length < 126)
        {
            frame[1] = (byte)(0x80 | payload.Length);
            header = 2;
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
            header = 4;
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
            header = 10;
        }
        var mask = frame.AsSpan(header, 4);
        RandomNumberGenerator.Fill(mask);
        var masked = frame.AsSpan(header + 4, payload.Length);
        payload.Span.CopyTo(masked);
        for (var i = 0; i < masked.Length; i++)
        {
            masked[i] ^= mask[i & 3];
        }
        await _sending.WaitAsync(ct);
        try
        {
            await _stream.WriteAsync(frame.AsMemory(0, header + 4 + payload.Length), ct);
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Dispose()
    {
        _closed = true;
        _stream.Dispose();
        _sending.Dispose();
    }
}
