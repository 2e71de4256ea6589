using System.IO.Ports;
using System.Net;
using System.Net.Sockets;

namespace Dispatch.Lines;

/// <summary>
/// How a line is reached: a TCP port the other end connects to (Listen), a TCP address Dispatch
/// connects to (Connect), or a serial port (Serial). Each open gives one connection.
/// </summary>
public sealed class LineLink(LineLinkOptions options) : IDisposable
{
    private TcpListener? _listener;

    public string Describe() =>
        options.Listen is { Length: > 0 } listen ? $"listening on {listen}"
        : options.Connect is { Length: > 0 } connect ? $"connecting to {connect}"
        : $"serial {options.Serial} {options.BaudRate} {options.DataBits}{options.Parity.ToString()[0]}{(int)options.StopBits}";

    /// <summary>The next connection: accepted, connected or opened. Throws when it cannot be made now.</summary>
    public async Task<Stream> OpenAsync(CancellationToken ct)
    {
        if (options.Listen is { Length: > 0 } listen)
        {
            if (_listener is null)
            {
                _listener = new TcpListener(IPEndPoint.Parse(listen));
                _listener.Start(1);
            }
            var client = await _listener.AcceptTcpClientAsync(ct);
            client.NoDelay = true;
            return client.GetStream();
        }
        if (options.Connect is { Length: > 0 } connect)
        {
            var endpoint = IPEndPoint.Parse(connect);
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(endpoint, ct);
            }
            catch
            {
                client.Dispose();
                throw;
            }
            return client.GetStream();
        }
        var port = new SerialPort(options.Serial!, options.BaudRate, options.Parity, options.DataBits, options.StopBits) { Handshake = Handshake.None };
        port.Open();
        return new SerialLineStream(port);
    }

    public void Dispose() => _listener?.Dispose();

    /// <summary>The port's stream; disposing it closes the port.</summary>
    private sealed class SerialLineStream(SerialPort port) : Stream
    {
        private readonly Stream _inner = port.BaseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _inner.WriteAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                port.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
