using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Dispatch.Server.Clinical;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Observability;
using Dispatch.Server.Sessions;

namespace Dispatch.Server.Escalation;

/// <summary>A nurse who cannot take the call rejects it: it escalates one level at once, never back to them.</summary>
public sealed class CallRejection(Transactions transactions, CallEscalator escalator, DispatchMetrics metrics)
{
    public async Task<CallView> RejectAsync(long callId, StaffUser nurse, CancellationToken ct)
    {
        var call = await transactions.RunAsync(async (tx, token) =>
        {
            var call = await CallRecords.LockForStaffAsync(tx, callId, nurse, token);
            if (call.Status != CallStatuses.Open)
            {
                throw RefusedException.Conflict($"Call {callId} is {call.Status}; only an open call can be rejected.");
            }
            if (call.EscalationLevel >= EscalationLadder.TopLevel)
            {
                throw RefusedException.Conflict($"Call {callId} is already at the top of the escalation ladder; acknowledge it.");
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
