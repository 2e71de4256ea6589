using Dapper;
using Dispatch.Contracts;
using MySqlConnector;

namespace Dispatch.Server.Clinical;

/// <summary>
/// Who is paged about a call, and what their pager shows: at the raise its assignee and, for a
/// kind a team takes, the team's on-duty members; at each escalation the new recipient; each only
/// with a pager number (the hospital file's staff[].pager). The pages are written in the
/// transaction that writes the call's outbox event: a rollback takes them too, and a restart finds
/// them in the table, so nothing is lost and nothing paged twice by a restart. Dispatch.Gateway
/// sends them (Paging/PageDesk).
/// </summary>
public static class PageRouting
{
    /// <summary>
    /// Who is paged: the call's assignee (if they have a pager) and, at the raise (level 0), every
    /// on-duty member with a pager of a team that takes the call's kind. A plain (snapshot) read:
    /// an INSERT … SELECT would share-lock every staff row it scans, which the raises' assignments
    /// of other beds update, and deadlock them.
    /// </summary>
    private const string Recipients = """
        SELECT s.id AS StaffId, s.pager AS Pager
        FROM staff s
        WHERE s.pager IS NOT NULL AND (s.id = @AssignedStaffId OR (@Level = 0 AND s.on_duty = 1 AND s.id IN (
            SELECT tm.staff_id FROM team_members tm JOIN team_kinds tk ON tk.team_id = tm.team_id WHERE tk.kind = @Kind)))
        """;

    /// <summary>Once per person and level.</summary>
    private const string Append = """
        INSERT IGNORE INTO pages (call_id, staff_id, level, pager, text, next_try_at)
        VALUES (@CallId, @StaffId, @Level, @Pager, @Text, NOW(3))
        """;

    /// <summary>The longest page text: what the smallest alphanumeric pagers show (TAP blocks hold more).</summary>
    public const int MaxText = 160;

    private sealed record Recipient(int StaffId, string Pager);

    public static async Task AppendAsync(MySqlTransaction tx, CallView call, CancellationToken ct)
    {
        var recipients = (await tx.Connection!.QueryAsync<Recipient>(new CommandDefinition(
            Recipients, new { call.AssignedStaffId, Level = call.EscalationLevel, call.Kind }, tx, cancellationToken: ct))).ToList();
        if (recipients.Count == 0)
        {
            return;
        }
        var text = TextOf(call);
        await tx.Connection!.ExecuteAsync(new CommandDefinition(Append,
            recipients.Select(r => new { CallId = call.Id, r.StaffId, Level = call.EscalationLevel, r.Pager, Text = text }), tx, cancellationToken: ct));
    }

    /// <summary>Room, bed and kind first (what a nurse needs to go), then the ward, and the level once escalated.</summary>
    public static string TextOf(CallView call)
    {
        var text = $"{KindWords(call.Kind)} room {call.Room} bed {call.Bed}, {call.Ward}{(call.EscalationLevel > 0 ? $" (escalated, level {call.EscalationLevel})" : "")}";
        return text.Length > MaxText ? text[..MaxText] : text;
    }

    private static string KindWords(string kind) => kind switch
    {
        CallKinds.CodeBlue => "CODE BLUE",
        CallKinds.StaffEmergency => "STAFF EMERGENCY",
        CallKinds.StaffAssist => "Staff assist",
        CallKinds.Bath => "Bathroom call",
        CallKinds.Normal => "Patient call",
        _ => kind,
    };
}
