using System.Diagnostics;
using System.Globalization;
using Dispatch.Client;

namespace Dispatch.Cli;

/// <summary>
/// The legacy model, for comparison with push: N screens each asking the server for their ward's
/// new events every interval (GET /api/events, which reads the outbox on every request, as the
/// boards Dispatch replaces read MySQL). Used by loadtests/run.sh to measure the database load of
/// polling against that of the same number of pushed-to stations.
/// </summary>
internal sealed record PollSettings(Uri Server, int Screens, TimeSpan Interval, TimeSpan Duration, IReadOnlyList<BedDevice> Beds, string User, string Password);

internal static class Poll
{
    public static async Task<int> RunAsync(PollSettings settings, CancellationToken ct)
    {
        var (screens, interval, duration) = (settings.Screens, settings.Interval, settings.Duration);
        var wards = settings.Beds.Select(b => b.WardId).Distinct().Order().ToList();
        using var api = new DispatchApi(settings.Server);
        var session = await api.SignInAsync(settings.User, settings.Password, ct);
        // Each screen starts where a board that has just loaded its ward would, at the ward's latest
        // event: from 0 it would page through a history that grows with every run.
        var latest = new Dictionary<int, long>();
        foreach (var ward in wards)
        {
            long seq = 0;
            for (var page = await api.EventsAfterAsync(ward, seq, session.Token, ct); page.Count > 0; page = await api.EventsAfterAsync(ward, seq, session.Token, ct))
            {
                seq = page[^1].Seq;
            }
            latest[ward] = seq;
        }
        long requests = 0, failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, screens).Select(async screen =>
        {
            var ward = wards[screen % wards.Count];
            var after = latest[ward];
            // Screens start spread over one interval, as boards opened at different moments would.
            await Task.Delay(interval * Random.Shared.NextDouble(), ct);
            while (clock.Elapsed < duration)
            {
                var due = clock.Elapsed + interval;
                try
                {
                    var page = await api.EventsAfterAsync(ward, after, session.Token, ct);
                    after = page.Count > 0 ? page[^1].Seq : after;
                    Interlocked.Increment(ref requests);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failed);
                }
                var rest = due - clock.Elapsed;
                if (rest > TimeSpan.Zero)
                {
                    await Task.Delay(rest, ct);
                }
            }
        }));
        var perSecond = requests / clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{screens} screens polling every {interval.TotalMilliseconds} ms for {clock.Elapsed.TotalSeconds:F1} s: {requests:N0} requests ({perSecond:F0}/s), {failed} failed"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT screens={screens} interval_ms={interval.TotalMilliseconds} requests={requests} failed={failed} per_second={perSecond:F1}"));
        return failed == 0 ? 0 : 1;
    }
}
