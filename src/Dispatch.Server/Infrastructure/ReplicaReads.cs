using Dapper;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Reads that may lag a little (the polling fallback, and the session check of its requests) go
/// to the read replica while it replicates
/// and is at most Database:ReplicaMaxLagSeconds behind; otherwise, and with no replica set, to the
/// primary. The replica applies the primary's commits in order, so what it returns of a ward's
/// events is a prefix of them, never a page with a gap: a poller that is a moment behind asks
/// again. Its state is read every Database:ReplicaCheckMs; a change is logged once.
/// </summary>
public sealed partial class ReplicaReads : BackgroundService
{
    private readonly MySqlDataSource _primary;
    private readonly MySqlDataSource? _replica;
    private readonly DatabaseOptions _options;
    private readonly ILogger<ReplicaReads> _logger;
    private volatile string _state = "not checked yet";

    public ReplicaReads(MySqlDataSource primary, IOptions<DatabaseOptions> options, ILogger<ReplicaReads> logger)
    {
        _primary = primary;
        _options = options.Value;
        _logger = logger;
        _replica = string.IsNullOrWhiteSpace(_options.ReplicaConnectionString) ? null : new MySqlDataSource(_options.ReplicaConnectionString);
    }

    /// <summary>"healthy", or why the replica is not used ("no replica set", "N s behind", "not replicating", "unreachable").</summary>
    public string State => _replica is null ? "no replica set" : _state;

    private bool Healthy => _replica is not null && _state == "healthy";

    /// <summary>A connection for a read that may lag: the replica's while it is healthy, else the primary's; and which it is.</summary>
    public async Task<(MySqlConnection Connection, string Source)> OpenAsync(CancellationToken ct)
    {
        if (Healthy)
        {
            try
            {
                return (await _replica!.OpenConnectionAsync(ct), "replica");
            }
            catch (MySqlException e)
            {
                Change($"unreachable ({e.ErrorCode})");
            }
        }
        return (await _primary.OpenConnectionAsync(ct), "primary");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_replica is null)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(_options.ReplicaCheckMs));
        do
        {
            Change(await CheckAsync(_replica, stoppingToken));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task<string> CheckAsync(MySqlDataSource replica, CancellationToken ct)
    {
        try
        {
            await using var conn = await replica.OpenConnectionAsync(ct);
            var status = (IDictionary<string, object?>?)await conn.QueryFirstOrDefaultAsync(new CommandDefinition("SHOW REPLICA STATUS", cancellationToken: ct));
            if (status is null || !Equals(status["Slave_IO_Running"], "Yes") || !Equals(status["Slave_SQL_Running"], "Yes")
                || status["Seconds_Behind_Master"] is not { } behind)
            {
                return "not replicating";
            }
            var seconds = Convert.ToInt64(behind, System.Globalization.CultureInfo.InvariantCulture);
            return seconds <= _options.ReplicaMaxLagSeconds ? "healthy" : $"{seconds} s behind";
        }
        catch (Exception e) when (e is MySqlException or TimeoutException or InvalidOperationException)
        {
            return "unreachable";
        }
    }

    private void Change(string state)
    {
        if (state == _state)
        {
            return;
        }
        _state = state;
        if (state == "healthy")
        {
            Log.ReplicaServes(_logger);
        }
        else
        {
            Log.PrimaryServes(_logger, state);
        }
    }

    public override void Dispose()
    {
        _replica?.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1560, LogLevel.Information, "The read replica serves the polling fallback again")]
        public static partial void ReplicaServes(ILogger logger);

        [LoggerMessage(1561, LogLevel.Warning, "The polling fallback reads from the primary: the replica is {State}")]
        public static partial void PrimaryServes(ILogger logger, string state);
    }
}
