using Dapper;
using Dispatch.Server.Errors;
using Dispatch.Server.Infrastructure;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Calls;

/// <summary>What proves that a request comes from the bedside: the bed device's key or a patient's one-time nonce.</summary>
public sealed record BedCredential(string? DeviceKey, string? Nonce);

/// <summary>Who acted at the bedside, as the audit log names them.</summary>
internal sealed record BedsideCaller(string ActorType, long ActorId);

/// <summary>Checks a bedside credential against the bed; a nonce is spent in the caller's transaction.</summary>
internal static class BedsideAuthentication
{
    public static async Task<BedsideCaller> AuthenticateAsync(MySqlTransaction tx, BedRow bed, BedCredential credential, KeyGuesses guesses, CancellationToken ct)
    {
        var conn = tx.Connection!;
        if (!string.IsNullOrEmpty(credential.DeviceKey))
        {
            var device = await conn.QuerySingleOrDefaultAsync<DeviceRow>(new CommandDefinition(
                CallQueries.FindBedDevice, new { KeyHash = Secrets.Hash(credential.DeviceKey), bed.BedId }, tx, cancellationToken: ct))
                ?? throw await guesses.RefuseAsync("The device key is not known.", ct);
            return device.ServesBed != 0
                ? new BedsideCaller(AuditLog.Device, device.Id)
                : throw RefusedException.Forbidden(device.Kind == "line"
                    ? $"This line maps no call address to bed {bed.BedId}."
                    : $"This device belongs to another bed than bed {bed.BedId}.");
        }

        if (!string.IsNullOrEmpty(credential.Nonce))
        {
            var nonce = await conn.QuerySingleOrDefaultAsync<NonceRow>(new CommandDefinition(
                CallQueries.LockNonce, new { NonceHash = Secrets.Hash(credential.Nonce) }, tx, cancellationToken: ct))
                ?? throw await guesses.RefuseAsync("The patient nonce is not known.", ct);
            if (nonce.BedId != bed.BedId)
            {
                throw RefusedException.Forbidden($"This nonce was issued for another bed than bed {bed.BedId}.");
            }
            if (nonce.IsUsed)
            {
                throw RefusedException.Unauthorized("The patient nonce has already been used; ask for a new one.");
            }
            if (nonce.IsLive == 0)
            {
                throw RefusedException.Unauthorized("The patient nonce has expired; ask for a new one.");
            }
            await conn.ExecuteAsync(new CommandDefinition(CallQueries.UseNonce, new { nonce.Id }, tx, cancellationToken: ct));
            return new BedsideCaller(AuditLog.Patient, nonce.Id);
        }

        throw RefusedException.Unauthorized("A bed device key (X-Device-Key header) or a patient nonce is required.");
    }
}
