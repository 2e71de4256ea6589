namespace Dispatch.Server.Paging;

internal static class PageQueries
{
    public const string FindLine = "SELECT id FROM devices WHERE key_hash = @KeyHash AND kind = 'line'";

    /// <summary>Pages of calls acknowledged or cleared meanwhile are marked stopped (they are no longer handed out).</summary>
    public const string StopAnswered = """
        UPDATE pages p JOIN calls c ON c.id = p.call_id
        SET p.status = 'stopped'
        WHERE p.status = 'pending' AND c.status <> 'open'
        """;

    /// <summary>
    /// Due pages with tries left of calls still waiting (an acknowledge or a clear stops a page at
    /// once), most urgent call first, locked; another gateway skips them.
    /// </summary>
    public const string LockDue = """
        SELECT p.id AS Id, p.pager AS Pager, p.text AS Text, p.tries AS Tries
        FROM pages p JOIN calls c ON c.id = p.call_id
        WHERE p.status = 'pending' AND p.next_try_at <= NOW(3) AND p.tries < @Tries AND c.status = 'open'
        ORDER BY c.priority DESC, p.id
        LIMIT @Limit
        FOR UPDATE SKIP LOCKED
        """;

    public const string Claim = """
        UPDATE pages SET tries = tries + 1, next_try_at = NOW(3) + INTERVAL @RetrySeconds SECOND WHERE id IN @Ids
        """;

    /// <summary>The page, locked, while it is pending: reported answered once.</summary>
    public const string LockPending = """
        SELECT p.id AS Id, p.call_id AS CallId, p.staff_id AS StaffId, p.pager AS Pager, p.tries AS Tries
        FROM pages p WHERE p.id = @PageId AND p.status = 'pending' FOR UPDATE
        """;

    public const string MarkSent = "UPDATE pages SET status = 'sent', sent_at = NOW(3) WHERE id = @PageId";

    /// <summary>Pages of waiting calls that have used their tries and whose last try has had its time: each is failed once.</summary>
    public const string Exhausted = """
        SELECT p.id FROM pages p JOIN calls c ON c.id = p.call_id
        WHERE p.status = 'pending' AND p.tries >= @Tries AND p.next_try_at <= NOW(3) AND c.status = 'open'
        ORDER BY p.id LIMIT 100
        """;

    public const string LockExhausted = """
        SELECT p.id AS Id, p.call_id AS CallId, p.staff_id AS StaffId, p.pager AS Pager, p.tries AS Tries
        FROM pages p
        WHERE p.id = @PageId AND p.status = 'pending' AND p.tries >= @Tries AND p.next_try_at <= NOW(3)
          AND EXISTS (SELECT 1 FROM calls c WHERE c.id = p.call_id AND c.status = 'open')
        FOR UPDATE
        """;

    public const string MarkFailed = "UPDATE pages SET status = 'failed' WHERE id = @PageId";
}
