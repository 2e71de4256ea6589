using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Realtime;

public sealed class RelayOptions
{
    public const string Section = "Relay";

    /// <summary>
    /// Fallback poll of the outbox when no commit on this node woke the relay (changes made by
    /// other processes). One cheap query per interval, whatever the number of stations.
    /// </summary>
    [Range(10, 60_000)]
    public int PollIntervalMs { get; set; } = 250;

    /// <summary>Every ward group receives its latest sequence this often, so a client that missed an event notices.</summary>
    [Range(1, 300)]
    public int WardHeartbeatSeconds { get; set; } = 10;
}
