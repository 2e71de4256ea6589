using Dapper;
using Dispatch.Server.Infrastructure;
using MySqlConnector;

namespace Dispatch.Server.Hospital;

/// <summary>
/// Loads a roster in one transaction. Each shift of the file replaces the assignments of exactly
/// its window (so the same file imported twice changes nothing, and a corrected one replaces the
/// first); other windows are left alone. Nurses are named by username and beds as ward/room/bed;
/// a nurse is given beds of her own ward only. A file with any problem changes nothing.
/// </summary>
public sealed class HospitalRoster(MySqlDataSource dataSource)
{
    private sealed record NurseRow(int Id, string Username, int? WardId);

    private sealed record BedRow(int Id, int WardId, string Ward, string Room, string Label);

    private sealed record Assignment(int BedId, int StaffId, bool IsPrimary, DateTime From, DateTime To);

    public async Task<ImportResult> RunAsync(RosterFile file, CancellationToken ct)
    {
        if (RosterFileReader.Problems(file) is { Count: > 0 } problems)
        {
            return ImportResult.Refused(problems);
        }

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var nurses = (await conn.QueryAsync<NurseRow>(new CommandDefinition(HospitalQueries.Nurses, transaction: tx, cancellationToken: ct)))
            .ToDictionary(n => n.Username, StringComparer.OrdinalIgnoreCase);
        var beds = (await conn.QueryAsync<BedRow>(new CommandDefinition(HospitalQueries.BedsByName, transaction: tx, cancellationToken: ct)))
            .ToDictionary(b => $"{b.Ward}/{b.Room}/{b.Label}", StringComparer.OrdinalIgnoreCase);

        var assignments = new List<Assignment>();
        var unknown = new List<string>();
        foreach (var (shift, s) in file.Shifts!.Select((shift, s) => (shift, s)))
        {
            var (from, to) = (shift.From!.Value.UtcDateTime, shift.To!.Value.UtcDateTime);
            foreach (var (entry, a) in (shift.Assignments ?? []).Select((entry, a) => (entry, a)))
            {
                var at = $"shifts[{s}].assignments[{a}]";
                if (!nurses.TryGetValue(entry.Nurse!.Trim(), out var nurse))
                {
                    unknown.Add($"{at}.nurse: there is no nurse '{entry.Nurse.Trim()}'.");
                    continue;
                }
                var named = (entry.Primary ?? []).Select(b => (Name: b, IsPrimary: true)).Concat((entry.Secondary ?? []).Select(b => (Name: b, IsPrimary: false)));
                foreach (var (name, isPrimary) in named)
                {
                    if (!beds.TryGetValue(BedName.Normalise(name), out var bed))
                    {
                        unknown.Add($"{at}: there is no bed '{name}'.");
                    }
                    else if (bed.WardId != nurse.WardId)
                    {
                        unknown.Add($"{at}: bed '{name}' is in ward {bed.Ward}, not in {nurse.Username}'s ward.");
                    }
                    else
                    {
                        assignments.Add(new Assignment(bed.Id, nurse.Id, isPrimary, from, to));
                    }
                }
            }
        }
        if (unknown.Count > 0)
        {
            return ImportResult.Refused(unknown);
        }

        var replaced = 0;
        foreach (var shift in file.Shifts!)
        {
            replaced += await conn.ExecuteAsync(new CommandDefinition(HospitalQueries.ClearShift,
                new { From = shift.From!.Value.UtcDateTime, To = shift.To!.Value.UtcDateTime }, tx, cancellationToken: ct));
        }
        await conn.ExecuteAsync(new CommandDefinition(HospitalQueries.InsertAssignment, assignments, tx, cancellationToken: ct));
        var summary = $"{file.Shifts!.Count} shifts, {assignments.Count} bed assignments (replacing {replaced} of the same shifts)";
        await AuditLog.AppendAsync(tx, AuditLog.System, null, "roster_imported", null, summary, ct);
        await tx.CommitAsync(ct);
        return new ImportResult([], summary);
    }
}
