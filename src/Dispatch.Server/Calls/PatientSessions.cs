using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;
using Microsoft.Extensions.Options;

namespace Dispatch.Server.Calls;

/// <summary>A nurse hands a patient's tablet a one-time nonce for one call from that bed.</summary>
public sealed class PatientSessions(Transactions transactions, IOptions<StaffSessionOptions> sessions)
{
    public async Task<PatientSession> CreateAsync(int bedId, StaffUser nurse, CancellationToken ct)
    {
        var nonce = Secrets.NewToken();
        var expiresAt = await transactions.RunAsync(async (tx, token) =>
        {
            var bed = await CallRecords.FindBedAsync(tx, bedId, token);
            if (!nurse.MayActOnWard(bed.WardId))
            {
                throw RefusedException.Forbidden($"Bed {bedId} belongs to another ward.", RefusalCodes.NotYourWard);
            }
            var expires = await tx.Connection!.ExecuteScalarAsync<DateTime>(new CommandDefinition(CallQueries.InsertPatientSession,
                new { BedId = bedId, NonceHash = Secrets.Hash(nonce), LifetimeMinutes = sessions.Value.PatientNonceLifetimeMinutes },
                tx, cancellationToken: token));
            await AuditLog.AppendAsync(tx, AuditLog.Staff, nurse.StaffId, "patient_session_created", null, $"bed {bedId}", token);
            return expires;
        }, ct);
        return new PatientSession(nonce, DbTime.ToOffset(expiresAt));
    }
}
