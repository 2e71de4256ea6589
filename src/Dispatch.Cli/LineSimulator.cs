using Dispatch.Contracts;
using Dispatch.Lines;
using Dispatch.Lines.Espa;
using Dispatch.Lines.Tap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Cli;

/// <summary>
/// The other ends of the gateway's lines, to try it without a nurse-call system or a paging
/// server: a primary system sending one call (as a TAP entry device, or an ESPA station selecting
/// the paging system), and a paging server that prints every page it gets and answers it.
/// </summary>
internal static class LineSimulator
{
    /// <summary>Sends one message; true when the other end accepted it (TAP 211 and ACK, ESPA ACK).</summary>
    public static async Task<bool> SendAsync(string protocol, string to, string address, string text, string? password, CancellationToken ct)
    {
        var options = new PagingLinkOptions { Protocol = protocol, TapPassword = password, AnswerTimeoutMs = 5_000 };
        Reach(options, to);
        using var link = new LineLink(options);
        await using var channel = new LineChannel(await link.OpenAsync(ct), () => { });
        IPageSender sender = protocol == LineLinkOptions.Tap ? new TapSender(options) : new EspaSender(options);
        var accepted = false;
        await sender.SendAsync(channel, [new PageToSend(0, address, text, 1)], _ =>
        {
            accepted = true;
            return Task.CompletedTask;
        }, ct);
        return accepted;
    }

    /// <summary>Listens as a paging server: prints each page (address and text) and answers it, until stopped.</summary>
    public static async Task ListenAsync(string protocol, string listen, CancellationToken ct)
    {
        var options = new LineOptions { Protocol = protocol, Listen = listen };
        using var link = new LineLink(options);
        var printer = new Printer();
        Console.WriteLine($"Listening for {protocol} pages on {listen} (Ctrl+C stops)");
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var channel = new LineChannel(await link.OpenAsync(ct), () => { });
                await (protocol == LineLinkOptions.Tap
                    ? new TapReceiver("simulator", options, printer, NullLogger.Instance).RunAsync(channel, ct)
                    : new EspaReceiver("simulator", options, printer, NullLogger.Instance).RunAsync(channel, ct));
            }
            catch (Exception e) when (e is IOException or EndOfStreamException or TimeoutException)
            {
                // The sender hung up: wait for the next one.
            }
        }
    }

    /// <summary>host:port, or a serial device's path.</summary>
    private static void Reach(LineLinkOptions options, string to)
    {
        if (to.StartsWith('/'))
        {
            options.Serial = to;
        }
        else
        {
            options.Connect = to;
        }
    }

    private sealed class Printer : IMessageSink
    {
        public Task<IntakeOutcome> DeliverAsync(string address, string text, CancellationToken ct)
        {
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} page to {address}: {text}");
            return Task.FromResult(IntakeOutcome.Taken);
        }

        public void ChecksumFailed() => Console.WriteLine($"{DateTime.Now:HH:mm:ss} a block with a wrong checksum, answered NAK");
    }
}
