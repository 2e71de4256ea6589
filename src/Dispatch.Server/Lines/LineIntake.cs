using Dapper;
using Dispatch.Contracts;
using Dispatch.Server.Calls;
using Dispatch.Server.Errors;
using Dispatch.Server.Sessions;
using MySqlConnector;

namespace Dispatch.Server.Lines;

/// <summary>
/// A message from the primary nurse-call system, as Dispatch.Gateway heard it on a line. Its call
/// address and text mean a call at a bed (the hospital file's lines); it is raised or cleared by
/// the same service as a bed device's press (one transaction, outbox, audit), the line as actor.
/// </summary>
public sealed class LineIntake(MySqlDataSource dataSource, CallService calls, KeyGuesses guesses)
{
    // line_addresses.address (migration 018).
    private const int MaxAddress = 32;

    private sealed record LineRow(int Id, string Name);

    private sealed record AddressRow(int BedId, string Kind);

    private sealed record TextRow(string Contains, string? Kind);

    public async Task<LineMessageResult> ReceiveAsync(string? lineKey, LineMessageRequest message, string? idempotencyKey, CancellationToken ct)
    {
        var address = message.Address?.Trim();
        if (string.IsNullOrEmpty(address) || address.Length > MaxAddress)
        {
            throw RefusedException.BadRequest(
                $"'address' is required, at most {MaxAddress} characters: the call address the primary system sent (ESPA record 1, TAP pager id).");
        }
        if (string.IsNullOrEmpty(lineKey))
        {
            throw RefusedException.Unauthorized($"The line's key (the {DispatchHeaders.DeviceKey} header) is required.");
        }

        LineRow line;
        AddressRow target;
        IReadOnlyList<TextRow> texts;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            line = await conn.QuerySingleOrDefaultAsync<LineRow>(new CommandDefinition(
                LineQueries.FindLine, new { KeyHash = Secrets.Hash(lineKey) }, cancellationToken: ct))
                ?? throw await guesses.RefuseAsync("The line key is not known.", ct);
            target = await conn.QuerySingleOrDefaultAsync<AddressRow>(new CommandDefinition(
                LineQueries.FindAddress, new { LineId = line.Id, Address = address }, cancellationToken: ct))
                ?? throw RefusedException.NotFound(
                    $"Call address '{address}' is not mapped on line '{line.Name}': add it to the line's addresses in the hospital file.");
            texts = [.. await conn.QueryAsync<TextRow>(new CommandDefinition(LineQueries.Texts, new { LineId = line.Id }, cancellationToken: ct))];
        }

        var credential = new BedCredential(lineKey, Nonce: null);
        var meaning = texts.FirstOrDefault(t => (message.Text ?? "").Contains(t.Contains, StringComparison.OrdinalIgnoreCase));
        if (meaning is { Kind: null })
        {
            return new LineMessageResult(LineMessageResult.Cleared, await ClearAsync(target, texts, credential, ct));
        }
        var (call, repeated) = await calls.RaiseAsync(target.BedId, meaning?.Kind ?? target.Kind, credential, idempotencyKey, ct);
        return new LineMessageResult(repeated ? LineMessageResult.Repeated : LineMessageResult.Raised, [call]);
    }

    /// <summary>
    /// The primary system says the address's call ended: the bed's open calls of every kind this
    /// address can raise (its own, and those its texts give) are cleared, as at the bedside.
    /// </summary>
    private async Task<IReadOnlyList<CallView>> ClearAsync(AddressRow target, IReadOnlyList<TextRow> texts, BedCredential credential, CancellationToken ct)
    {
        string[] kinds = [target.Kind, .. texts.Where(t => t.Kind is not null).Select(t => t.Kind!)];
        IReadOnlyList<long> open;
        await using (var conn = await dataSource.OpenConnectionAsync(ct))
        {
            open = [.. await conn.QueryAsync<long>(new CommandDefinition(
                LineQueries.OpenCallsOfBed, new { target.BedId, Kinds = kinds }, cancellationToken: ct))];
        }
        var cleared = new List<CallView>();
        foreach (var callId in open)
        {
            cleared.Add(await calls.CancelAtBedsideAsync(callId, credential, ct));
        }
        return cleared;
    }
}
