using Microsoft.Extensions.Logging;

namespace Dispatch.Lines.Espa;

/// <summary>
/// Dispatch as the receiving station of an ESPA 4.4.4 line (ISO 1745 basic mode). In the "slave"
/// role the primary nurse-call system is the control station: it selects Dispatch with
/// EOT, Dispatch's address, ENQ; Dispatch answers ACK (ready to receive; it never has data of its
/// own on this line). In the "control" role Dispatch is the control station and polls the primary
/// system (EOT, its address, ENQ); the polled system answers EOT (nothing to send) or selects
/// Dispatch with Dispatch's address and ENQ, and Dispatch answers ACK. Then, in both roles, each
/// block is answered: ACK once a call block (header '1') is stored or a block of another header
/// is read, NAK for a wrong BCC or a call the server could not store or does not map (the
/// sender sends it again, up to its retry limit), until EOT gives control back.
/// </summary>
public sealed partial class EspaReceiver(string lineName, LineOptions options, IMessageSink sink, ILogger logger)
{
    private const int MaxBlockLength = 1024;

    public Task RunAsync(LineChannel line, CancellationToken ct) =>
        options.EspaRole == "control" ? PollAsync(line, ct) : AwaitSelectionAsync(line, ct);

    private async Task AwaitSelectionAsync(LineChannel line, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var b = await line.ReadByteAsync(Timeout.InfiniteTimeSpan, ct);
            if (b == (byte)options.EspaAddress && await line.ReadByteAsync(AnswerTimeout, ct) == ControlCharacters.Enq)
            {
                await line.WriteAsync(new[] { ControlCharacters.Ack }, ct);
                await ReceiveBlocksAsync(line, ct);
            }
            else if (b == ControlCharacters.Soh)
            {
                // A block without a selection before it (a control station that skips it): answered all the same.
                await AnswerBlockAsync(line, ct);
                await ReceiveBlocksAsync(line, ct);
            }
        }
    }

    private async Task PollAsync(LineChannel line, CancellationToken ct)
    {
        var poll = new[] { ControlCharacters.Eot, (byte)options.EspaPeerAddress, ControlCharacters.Enq };
        while (!ct.IsCancellationRequested)
        {
            await line.WriteAsync(poll, ct);
            var answer = await line.ReadByteAsync(AnswerTimeout, ct);
            if (answer == (byte)options.EspaAddress && await line.ReadByteAsync(AnswerTimeout, ct) == ControlCharacters.Enq)
            {
                await line.WriteAsync(new[] { ControlCharacters.Ack }, ct);
                await ReceiveBlocksAsync(line, ct);
                continue; // it may have more: poll again at once
            }
            await Task.Delay(options.PollIntervalMs, ct);
        }
    }

    /// <summary>Blocks from the station that selected Dispatch, each answered, until its EOT (or its silence past the answer timeout).</summary>
    private async Task ReceiveBlocksAsync(LineChannel line, CancellationToken ct)
    {
        while (await line.ReadByteAsync(TrafficTimeout, ct) is { } b && b != ControlCharacters.Eot)
        {
            if (b == ControlCharacters.Soh)
            {
                await AnswerBlockAsync(line, ct);
            }
        }
    }

    /// <summary>The rest of a block after its SOH, read, checked, stored if it is a call, and answered ACK or NAK.</summary>
    private async Task AnswerBlockAsync(LineChannel line, CancellationToken ct)
    {
        var body = new List<byte>();
        while (body.Count < MaxBlockLength)
        {
            var b = await line.ReadByteAsync(AnswerTimeout, ct) ?? throw new TimeoutException("An ESPA block stopped half way.");
            body.Add(b);
            if (b == ControlCharacters.Etx)
            {
                break;
            }
        }
        var bcc = await line.ReadByteAsync(AnswerTimeout, ct) ?? throw new TimeoutException("An ESPA block's BCC did not come.");
        var block = EspaBlock.Parse(body.ToArray(), bcc);
        if (block is null)
        {
            sink.ChecksumFailed();
            Log.BadBlock(logger, lineName);
            await line.WriteAsync(new[] { ControlCharacters.Nak }, ct);
            return;
        }
        var taken = block.Header != EspaBlock.CallToPager || block[EspaBlock.CallAddress] is not { Length: > 0 } address
            || await sink.DeliverAsync(address.Trim(), block[EspaBlock.DisplayMessage] ?? "", ct) == IntakeOutcome.Taken;
        await line.WriteAsync(new[] { taken ? ControlCharacters.Ack : ControlCharacters.Nak }, ct);
    }

    private TimeSpan AnswerTimeout => TimeSpan.FromMilliseconds(options.AnswerTimeoutMs);

    // ISO 1745's traffic time-out: a selected station that hears nothing for this long returns to idle.
    private TimeSpan TrafficTimeout => TimeSpan.FromMilliseconds(options.AnswerTimeoutMs * 10);

    private static partial class Log
    {
        [LoggerMessage(4120, LogLevel.Warning, "Line '{Line}': an ESPA block with a wrong BCC (or not framed SOH header STX … ETX) was answered NAK")]
        public static partial void BadBlock(ILogger logger, string line);
    }
}
