using Dapper;
using MySqlConnector;

namespace Dispatch.Server.Infrastructure;

/// <summary>
/// Who did what to which call, and from which address (<see cref="ClientAddress"/>). Written inside
/// the transaction of the change it records; read back by GET /api/audit.
/// </summary>
public static class AuditLog
{
    public const string Staff = "staff";
    public const string Device = "device";
    public const string Patient = "patient";
    public const string System = "system";

    public static Task AppendAsync(
        MySqlTransaction tx, string actorType, long? actorId, string action, long? callId, string? detail, CancellationToken ct) =>
        tx.Connection!.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (actor_type, actor_id, action, call_id, detail, address)
            VALUES (@ActorType, @ActorId, @Action, @CallId, @Detail, @Address)
            """, new { ActorType = actorType, ActorId = actorId, Action = action, CallId = callId, Detail = detail, Address = ClientAddress.Current },
            tx, cancellationToken: ct));
}
