using Dispatch.Contracts;

namespace Dispatch.Lines.Espa;

/// <summary>
/// Dispatch as the station that selects the paging system on an ESPA 4.4.4 line: EOT, the paging
/// system's address and ENQ, answered ACK; then each page as a call to pager (header 1: record 1
/// the pager number, 2 the text), ACK for accepted, NAK for send again (three times); EOT at the end.
/// </summary>
public sealed class EspaSender(LineLinkOptions options) : IPageSender
{
    private const int Tries = 3;

    public async Task SendAsync(LineChannel link, IReadOnlyList<PageToSend> pages, Func<PageToSend, Task> answered, CancellationToken ct)
    {
        await link.WriteAsync(new[] { ControlCharacters.Eot, (byte)options.EspaPeerAddress, ControlCharacters.Enq }, ct);
        if (await link.ReadByteAsync(AnswerTimeout, ct) != ControlCharacters.Ack)
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
        await link.WriteAsync(new[] { ControlCharacters.Eot }, ct);
    }

    private async Task<bool> SendPageAsync(LineChannel link, PageToSend page, CancellationToken ct)
    {
        var block = new EspaBlock(EspaBlock.CallToPager,
            [new EspaRecord(EspaBlock.CallAddress, page.Pager), new EspaRecord(EspaBlock.DisplayMessage, page.Text)]).Format();
        for (var i = 0; i < Tries; i++)
        {
            await link.WriteAsync(block, ct);
            var answer = await link.ReadByteAsync(AnswerTimeout, ct);
            if (answer == ControlCharacters.Ack)
            {
                return true;
            }
            if (answer != ControlCharacters.Nak)
            {
                return false;
            }
        }
        return false;
    }

    private TimeSpan AnswerTimeout => TimeSpan.FromMilliseconds(options.AnswerTimeoutMs);
}
