using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Dispatch.Server.Clinical;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;

namespace Dispatch.Server.Escalation;

/// <summary>
/// The nurse a call is assigned to, who cannot take it, rejects it: it escalates one level at once,
/// never back to them. A colleague may take a call over (acknowledge it) but not reject it, and
/// nobody rejects the same call twice: rejects cannot send a colleague's call up the ladder.
/// </summary>
public sealed class CallRejection(Transactions transactions, CallEscalator escalator, DispatchMetrics metrics)
{
    public async Task<CallView> RejectAsync(long callId, StaffUser nurse, CancellationToken ct)
    {
        var call = await transactions.RunAsync(async (tx, token) =>
        {
            var call = await CallRecords.LockForStaffAsync(tx, callId, nurse, token);
            if (call.Status != CallStatuses.Open)
            {
                throw RefusedException.Conflict($"Call {callId} is {call.Status}; only an open call can be rejected.", RefusalCodes.CallNotOpen);
            }
            if (await tx.Connection!.ExecuteScalarAsync<long>(new CommandDefinition(EscalationQueries.RejectedBy,
                    new { CallId = callId, nurse.StaffId }, tx, cancellationToken: token)) > 0)
            {
                throw RefusedException.Conflict($"You have already rejected call {callId}; acknowledge it if you can take it after all.", RefusalCodes.AlreadyRejected);
            }
            if (call.AssignedStaffId != nurse.StaffId)
            {
                throw RefusedException.Forbidden($"Call {callId} is not assigned to you; only its assigned nurse may reject it. Acknowledge it to take it over.", RefusalCodes.NotAssignedToYou);
            }
            if (call.EscalationLevel >= EscalationLadder.TopLevel)
            {
                throw RefusedException.Conflict($"Call {callId} is already at the top of the escalation ladder; acknowledge it.", RefusalCodes.TopOfLadder);
            }
            await AuditLog.AppendAsync(tx, AuditLog.Staff, nurse.StaffId, "call_rejected", callId, null, token);
            return await escalator.EscalateAsync(tx,
                new EscalatingCall(call.Id, call.WardId, call.Kind, call.EscalationLevel, call.AssignedStaffId),
                $"rejected by staff {nurse.StaffId}", excludeStaffId: nurse.StaffId, token);
        }, ct);
        metrics.Escalated(call.EscalationLevel);
        return call;
    }
}
