using Dapper;

namespace Dispatch.Testing;

/// <summary>Reads the database behind the server, to check what a request did (or did not) write.</summary>
public static class Db
{
    public static async Task<T> ScalarAsync<T>(this DispatchFixture fixture, string sql, object? args = null)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        return await conn.ExecuteScalarAsync<T>(sql, args) ?? throw new InvalidOperationException($"No value for: {sql}");
    }

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this DispatchFixture fixture, string sql, object? args = null)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        return (await conn.QueryAsync<T>(sql, args)).ToList();
    }

    public static async Task<int> ExecuteAsync(this DispatchFixture fixture, string sql, object? args = null)
    {
        await using var conn = await fixture.DataSource.OpenConnectionAsync();
        return await conn.ExecuteAsync(sql, args);
    }

    /// <summary>Rows a ward has in the tables a call changes: a refused request must leave these as they were.</summary>
    public static async Task<string> FootprintAsync(this DispatchFixture fixture, int wardId) =>
        await fixture.ScalarAsync<string>("""
            SELECT CONCAT_WS('/',
              (SELECT COUNT(*) FROM calls WHERE ward_id = @wardId),
              (SELECT COUNT(*) FROM events WHERE ward_id = @wardId),
              (SELECT COUNT(*) FROM audit_log a JOIN calls c ON c.id = a.call_id WHERE c.ward_id = @wardId),
              (SELECT COALESCE(GROUP_CONCAT(CONCAT(id, ':', status) ORDER BY id), '') FROM calls WHERE ward_id = @wardId))
            """, new { wardId });
}
