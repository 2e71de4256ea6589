using System.Text;
using Dispatch.Contracts;

namespace Dispatch.Lines.Tap;

/// <summary>
/// Dispatch as a TAP 1.8 entry device: CR until the paging terminal says "ID=" (three times, two
/// seconds apart), ESC PG1 and the password, then, after ACK and ESC [p, each page as a block
/// (pager id, text); ACK is the page accepted, NAK asks for the block again (three times), RS or
/// ESC EOT refuses it. EOT ends the session.
/// </summary>
public sealed class TapSender(LineLinkOptions options) : IPageSender
{
    private const int Tries = 3;
    private static readonly TimeSpan s_idInterval = TimeSpan.FromSeconds(2);

    public async Task SendAsync(LineChannel link, IReadOnlyList<PageToSend> pages, Func<PageToSend, Task> answered, CancellationToken ct)
    {
        if (!await LogInAsync(link, ct))
        {
            return;
        }
        foreach (var page in pages)
        {
            if (!await SendPageAsync(link, page, ct))
            {
                break;
            }
            await answered(page);
        }
        await SendAsync(link, "\u0004\r", ct);
    }

    private async Task<bool> LogInAsync(LineChannel link, CancellationToken ct)
    {
        var greeted = false;
        for (var i = 0; i < Tries && !greeted; i++)
        {
            await SendAsync(link, "\r", ct);
            greeted = await ReadUntilAsync(link, "ID=", s_idInterval, ct);
        }
        if (!greeted)
        {
            return false;
        }
        await SendAsync(link, $"\u001bPG1{options.TapPassword}\r", ct);
        return await ReadUntilAsync(link, "\u001b[p\r", AnswerTimeout, ct);
    }

    private async Task<bool> SendPageAsync(LineChannel link, PageToSend page, CancellationToken ct)
    {
        var block = TapBlock.Format(page.Pager, page.Text);
        for (var i = 0; i < Tries; i++)
        {
            await link.WriteAsync(block, ct);
            switch (await AnswerAsync(link, ct))
            {
                case ControlCharacters.Ack:
                    return true;
                case ControlCharacters.Nak:
                    continue;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>The control character of the terminal's answer line (ACK, NAK, RS, ESC), skipping message sequences; null on silence.</summary>
    private async Task<byte?> AnswerAsync(LineChannel link, CancellationToken ct)
    {
        var lineStart = true;
        while (await link.ReadByteAsync(AnswerTimeout, ct) is { } b)
        {
            if (lineStart && b is ControlCharacters.Ack or ControlCharacters.Nak or ControlCharacters.Rs or ControlCharacters.Esc)
            {
                return b;
            }
            lineStart = b == ControlCharacters.Cr;
        }
        return null;
    }

    private static async Task<bool> ReadUntilAsync(LineChannel link, string ending, TimeSpan timeout, CancellationToken ct)
    {
        var received = new StringBuilder();
        while (await link.ReadByteAsync(timeout, ct) is { } b)
        {
            received.Append((char)b);
            if (received.ToString().EndsWith(ending, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private TimeSpan AnswerTimeout => TimeSpan.FromMilliseconds(options.AnswerTimeoutMs);

    private static Task SendAsync(LineChannel link, string text, CancellationToken ct) => link.WriteAsync(Encoding.ASCII.GetBytes(text), ct);
}
