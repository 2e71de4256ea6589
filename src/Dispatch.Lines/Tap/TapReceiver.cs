using Microsoft.Extensions.Logging;
using System.Text;

namespace Dispatch.Lines.Tap;

/// <summary>
/// Dispatch as the paging terminal of a TAP 1.8 line: the primary nurse-call system is the entry
/// device. It sends CR until it gets "ID=", logs in with ESC PG1 (and the password, if one is
/// set), is told "110 1.8", ACK and ESC [p (go ahead), then sends pages, one transaction (pager id
/// = call address, message) in one or more blocks. Each block with a good checksum is answered
/// once the transaction's last block is stored: "211" and ACK; a bad checksum gets NAK (send it
/// again), the third in a row "503" and RS (the transaction is abandoned); an address the
/// hospital file does not map gets "511" and RS; a message the server could not store gets NAK.
/// EOT ends the session (ESC EOT in answer).
/// </summary>
public sealed partial class TapReceiver(string lineName, LineOptions options, IMessageSink sink, ILogger logger)
{
    private const int MaxChecksumErrors = 3;

    public async Task RunAsync(LineChannel line, CancellationToken ct)
    {
        var answerTimeout = TimeSpan.FromMilliseconds(options.AnswerTimeoutMs);
        var loggedIn = false;
        var fields = new List<string>();
        var open = new StringBuilder();
        var checksumErrors = 0;
        while (!ct.IsCancellationRequested)
        {
            // An open line waits for its next page as long as it takes.
            var b = await line.ReadByteAsync(Timeout.InfiniteTimeSpan, ct);
            switch (b)
            {
                case ControlCharacters.Cr when !loggedIn:
                    await SendAsync(line, "ID=", ct);
                    break;
                case ControlCharacters.Esc:
                    var command = await ReadLineAsync(line, answerTimeout, ct);
                    if (command.StartsWith("PG1", StringComparison.Ordinal))
                    {
                        loggedIn = await LogInAsync(line, command[3..], ct);
                    }
                    else if (command.StartsWith((char)ControlCharacters.Eot))
                    {
                        await GoodbyeAsync(line, ct);
                        loggedIn = false;
                    }
                    break;
                case ControlCharacters.Eot:
                    await ReadLineAsync(line, answerTimeout, ct);
                    await GoodbyeAsync(line, ct);
                    loggedIn = false;
                    break;
                case ControlCharacters.Stx when loggedIn:
                    var block = await ReadBlockAsync(line, answerTimeout, ct);
                    if (block is null)
                    {
                        sink.ChecksumFailed();
                        if (++checksumErrors < MaxChecksumErrors)
                        {
                            await SendAsync(line, "\u0015\r", ct);
                            break;
                        }
                        Log.Abandoned(logger, lineName, checksumErrors);
                        await SendAsync(line, "503 Excessive checksum errors\r\u001e\r", ct);
                        (checksumErrors, open.Length) = (0, 0);
                        fields.Clear();
                        break;
                    }
                    checksumErrors = 0;
                    // A field left open before US goes on in this block.
                    var carried = open.ToString();
                    open.Clear();
                    if (block.Complete.Count == 0)
                    {
                        open.Append(carried);
                    }
                    else
                    {
                        fields.Add(carried + block.Complete[0]);
                        fields.AddRange(block.Complete.Skip(1));
                    }
                    open.Append(block.Open);
                    if (!block.EndsTransaction)
                    {
                        await SendAsync(line, "\u0006\r", ct);
                        break;
                    }
                    await AnswerTransactionAsync(line, [.. fields], ct);
                    fields.Clear();
                    open.Clear();
                    break;
            }
        }
    }

    private async Task<bool> LogInAsync(LineChannel line, string password, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(options.TapPassword) && password != options.TapPassword)
        {
            Log.WrongPassword(logger, lineName);
            await SendAsync(line, "\u0015\r", ct);
            return false;
        }
        await SendAsync(line, "110 1.8\r\u0006\r\u001b[p\r", ct);
        return true;
    }

    private async Task AnswerTransactionAsync(LineChannel line, IReadOnlyList<string> fields, CancellationToken ct)
    {
        if (fields.Count < 1 || string.IsNullOrWhiteSpace(fields[0]))
        {
            await SendAsync(line, "506 Transaction not understood\r\u001e\r", ct);
            return;
        }
        var (address, text) = (fields[0].Trim(), fields.Count > 1 ? string.Join(" ", fields.Skip(1)) : "");
        switch (await sink.DeliverAsync(address, text, ct))
        {
            case IntakeOutcome.Taken:
                await SendAsync(line, "211 Page sent\r\u0006\r", ct);
                break;
            case IntakeOutcome.Refused:
                await SendAsync(line, $"511 Unknown pager id {address}\r\u001e\r", ct);
                break;
            default:
                await SendAsync(line, "\u0015\r", ct);
                break;
        }
    }

    private static Task GoodbyeAsync(LineChannel line, CancellationToken ct) => SendAsync(line, "\u001b\u0004\r", ct);

    /// <summary>The rest of a block after its STX: through ETX, ETB or US, the checksum and CR; null when the checksum is wrong.</summary>
    private static async Task<TapFields?> ReadBlockAsync(LineChannel line, TimeSpan timeout, CancellationToken ct)
    {
        var block = new List<byte>(TapBlock.MaxLength) { ControlCharacters.Stx };
        while (block.Count < TapBlock.MaxLength)
        {
            var b = await line.ReadByteAsync(timeout, ct) ?? throw new TimeoutException("A TAP block stopped half way.");
            block.Add(b);
            if (b is ControlCharacters.Etx or ControlCharacters.Etb or ControlCharacters.Us)
            {
                var checksum = new byte[3];
                for (var i = 0; i < 3; i++)
                {
                    checksum[i] = await line.ReadByteAsync(timeout, ct) ?? throw new TimeoutException("A TAP block's checksum stopped half way.");
                }
                await line.ReadByteAsync(timeout, ct); // its CR
                return TapBlock.Parse(block.ToArray(), checksum);
            }
        }
        return null;
    }

    /// <summary>Characters up to CR (not included).</summary>
    private static async Task<string> ReadLineAsync(LineChannel line, TimeSpan timeout, CancellationToken ct)
    {
        var text = new StringBuilder();
        while (text.Length < TapBlock.MaxLength && await line.ReadByteAsync(timeout, ct) is { } b && b != ControlCharacters.Cr)
        {
            text.Append((char)b);
        }
        return text.ToString();
    }

    private static Task SendAsync(LineChannel line, string text, CancellationToken ct) => line.WriteAsync(Encoding.ASCII.GetBytes(text), ct);

    private static partial class Log
    {
        [LoggerMessage(4110, LogLevel.Warning, "Line '{Line}': a TAP transaction was abandoned after {Errors} blocks with a wrong checksum")]
        public static partial void Abandoned(ILogger logger, string line, int errors);

        [LoggerMessage(4111, LogLevel.Warning, "Line '{Line}': a TAP log-in with a wrong password was refused")]
        public static partial void WrongPassword(ILogger logger, string line);
    }
}
