using System.Collections.Concurrent;
using Dispatch.Lines;
using Prometheus;

namespace Dispatch.Gateway;

/// <summary>The gateway's metrics, on its own /metrics.</summary>
public sealed class GatewayMetrics
{
    private readonly Counter _messagesIn;
    private readonly Counter _checksumErrors;
    private readonly Gauge _lineUp;
    private readonly Counter _pagesOut;
    private readonly Counter _pageResends;
    private readonly ConcurrentDictionary<string, bool> _up = new();

    public GatewayMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _messagesIn = factory.CreateCounter("gateway_messages_in_total",
            "Messages from the primary nurse-call system, by line and what became of them (taken, refused, not_taken).", "line", "outcome");
        _checksumErrors = factory.CreateCounter("gateway_checksum_errors_total", "Blocks refused for a wrong checksum (TAP) or BCC (ESPA), by line.", "line");
        _pagesOut = factory.CreateCounter("gateway_pages_out_total", "Pages sent to the paging server, by whether it answered (answered, unanswered).", "outcome");
        _pageResends = factory.CreateCounter("gateway_page_resends_total", "Pages sent again (a try after the first) because an earlier try was not answered.");
        _lineUp = factory.CreateGauge("gateway_line_up", "1 while the line is open (a TCP connection, an open serial port), by line.", "line");
    }

    public CollectorRegistry Registry { get; }

    public void MessageIn(string line, IntakeOutcome outcome) => _messagesIn.WithLabels(line, outcome switch
    {
        IntakeOutcome.Taken => "taken",
        IntakeOutcome.Refused => "refused",
        _ => "not_taken",
    }).Inc();

    public void PageOut(bool answered, int @try)
    {
        _pagesOut.WithLabels(answered ? "answered" : "unanswered").Inc();
        if (@try > 1)
        {
            _pageResends.Inc();
        }
    }

    public void ChecksumError(string line) => _checksumErrors.WithLabels(line).Inc();

    public void LineUp(string line, bool up)
    {
        _lineUp.WithLabels(line).Set(up ? 1 : 0);
        _up[line] = up;
    }

    /// <summary>Each line and whether it is open now, for /healthz.</summary>
    public IReadOnlyDictionary<string, bool> LinesUp() => new Dictionary<string, bool>(_up);
}
