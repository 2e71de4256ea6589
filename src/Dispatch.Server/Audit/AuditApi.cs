using System.Globalization;
using System.Text;
using Dapper;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Audit;

/// <summary>One row of the audit trail; <c>displayed</c> rows are a station's display receipt (no id).</summary>
public sealed record AuditEntry(
    long? Id, DateTimeOffset At, string Action, string ActorType, long? ActorId, string? Actor, long? CallId, string? Detail, string? Address);

/// <summary>A page of the trail; <c>NextAfterId</c> asks for the next page, null when this is the last.</summary>
public sealed record AuditPage(long? CallId, DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<AuditEntry> Entries, long? NextAfterId);

/// <summary>
/// GET /api/audit (admin): one call's timeline (<c>?call=ID</c>) or every row in a window
/// (<c>?from=&amp;to=&amp;afterId=</c>), as JSON or, with <c>format=csv</c>, as CSV (docs/api.md, "Audit").
/// </summary>
public static class AuditApi
{
    private sealed record AuditRow(
        long? Id, DateTime At, string Action, string ActorType, long? ActorId, string? Actor, long? CallId, string? Detail, string? Address)
    {
        public AuditEntry ToEntry() => new(Id, DbTime.ToOffset(At), Action, ActorType, ActorId, Actor, CallId, Detail, Address);
    }

    public const int PageSize = 5_000;
    private static readonly TimeSpan s_longestWindow = TimeSpan.FromDays(31);

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/audit", ReadAsync).WithTags("Audit").RequireAuthorization(StaffPolicies.Admin);
        return app;
    }

    private static async Task<IResult> ReadAsync(
        long? call, DateTimeOffset? from, DateTimeOffset? to, long? afterId, string? format,
        MySqlDataSource dataSource, TimeProvider time, CancellationToken ct)
    {
        var csv = format switch
        {
            null or "json" => false,
            "csv" => true,
            _ => throw RefusedException.BadRequest("'format' is json (the default) or csv."),
        };
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        AuditPage page;
        if (call is { } callId)
        {
            if (from is not null || to is not null || afterId is not null)
            {
                throw RefusedException.BadRequest("Ask for one call (call=) or a window (from=, to=, afterId=), not both.");
            }
            if (await conn.ExecuteScalarAsync<long>(new CommandDefinition(AuditQueries.CallExists, new { CallId = callId }, cancellationToken: ct)) == 0)
            {
                throw RefusedException.NotFound($"There is no call {callId}.");
            }
            var timeline = await conn.QueryAsync<AuditRow>(new CommandDefinition(
                AuditQueries.CallTimeline, new { CallId = callId, Limit = PageSize }, cancellationToken: ct));
            page = new AuditPage(callId, null, null, [.. timeline.Select(r => r.ToEntry())], null);
        }
        else
        {
            var until = to ?? time.GetUtcNow();
            var since = from ?? until.AddDays(-1);
            if (since >= until || until - since > s_longestWindow)
            {
                throw RefusedException.BadRequest("'from' must be before 'to', at most 31 days apart.");
            }
            var rows = (await conn.QueryAsync<AuditRow>(new CommandDefinition(AuditQueries.Window,
                new { From = since.UtcDateTime, To = until.UtcDateTime, AfterId = afterId ?? 0, Limit = PageSize }, cancellationToken: ct)))
                .Select(r => r.ToEntry()).ToList();
            page = new AuditPage(null, since, until, rows, rows.Count == PageSize ? rows[^1].Id : null);
        }
        return csv ? TypedResults.Text(ToCsv(page.Entries), "text/csv; charset=utf-8") : TypedResults.Ok(page);
    }

    /// <summary>
    /// RFC 4180: a header line, CRLF line ends, fields quoted where they hold a comma, quote or line
    /// break. A field that a spreadsheet would take for a formula (=, +, -, @ first) is prefixed with
    /// ' : usernames and device names are typed by people.
    /// </summary>
    private static string ToCsv(IEnumerable<AuditEntry> entries)
    {
        var text = new StringBuilder("id,at,action,actor_type,actor_id,actor,call_id,detail,address\r\n");
        foreach (var e in entries)
        {
            string?[] fields =
            [
                e.Id?.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                e.Action, e.ActorType, e.ActorId?.ToString(CultureInfo.InvariantCulture), e.Actor,
                e.CallId?.ToString(CultureInfo.InvariantCulture), e.Detail, e.Address,
            ];
            text.AppendJoin(',', fields.Select(Field)).Append("\r\n");
        }
        return text.ToString();

        static string Field(string? value)
        {
            if (string.IsNullOrEmpty(value))
            {
                return "";
            }
            var text = value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? $"'{value}" : value;
            return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text;
        }
    }
}
