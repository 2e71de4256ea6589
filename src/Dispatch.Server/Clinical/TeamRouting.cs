using Dapper;
using Microsoft.Extensions.Options;
using MySqlConnector;

namespace Dispatch.Server.Clinical;

/// <summary>
/// Who answers a call because of their team, wherever the call is: the on-duty members of every
/// team of the hospital file that takes the call's kind (a code team for code_blue). Their
/// connections get each of the call's events, and their GET /api/staff/me/calls lists it.
/// </summary>
public sealed class TeamRouting(MySqlDataSource dataSource, IOptions<TeamOptions> options, TimeProvider time)
{
    // Which kinds have a team changes only with a hospital import; knowing it for a few seconds
    // spares a query per event for every call of the other kinds.
    private volatile KnownKinds? _teamKinds;

    private sealed record KnownKinds(IReadOnlySet<string> Kinds, DateTimeOffset Until);

    /// <summary>The on-duty members of the teams that take this kind (none for most kinds); read live, so a nurse going on duty counts at once.</summary>
    public async Task<IReadOnlyList<int>> OnDutyMembersForAsync(string kind, CancellationToken ct)
    {
        // Bounded: a database that hangs fails the publish fast (it is handed on and tried again)
        // rather than holding the bridge, which waits for a node that took a batch.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(options.Value.LookupTimeoutMs);
        try
        {
            if (!(await TeamKindsAsync(bound.Token)).Contains(kind))
            {
                return [];
            }
            await using var conn = await dataSource.OpenConnectionAsync(bound.Token);
            return [.. await conn.QueryAsync<int>(new CommandDefinition(TeamQueries.OnDutyMembers, new { Kind = kind }, cancellationToken: bound.Token))];
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"The team lookup took longer than Teams:LookupTimeoutMs ({options.Value.LookupTimeoutMs} ms).");
        }
    }

    private async Task<IReadOnlySet<string>> TeamKindsAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_teamKinds is { } known && now < known.Until)
        {
            return known.Kinds;
        }
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var kinds = (await conn.QueryAsync<string>(new CommandDefinition(TeamQueries.KindsWithTeams, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);
        _teamKinds = new KnownKinds(kinds, now.AddSeconds(options.Value.RefreshSeconds));
        return kinds;
    }
}
