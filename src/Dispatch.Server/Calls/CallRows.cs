using Dispatch.Contracts;
using Dispatch.Server.Clinical;
using Dispatch.Server.Infrastructure;

namespace Dispatch.Server.Calls;

internal sealed record BedRow(int BedId, int WardId);

// ServesBed is MariaDB's 0/1 comparison result.
internal sealed record DeviceRow(int Id, string Kind, int ServesBed);

internal sealed record KeyedCallRow(long Id, string Kind);

internal sealed record SilentDeviceRow(int Id, int BedId);

// IsLive is MariaDB's 0/1 comparison result (an integer, which Dapper will not bind to bool).
internal sealed record NonceRow(long Id, int BedId, bool IsUsed, int IsLive);

internal sealed record CallLockRow(long Id, int WardId, int BedId, string Kind, string Status, int? AssignedStaffId, sbyte EscalationLevel)
{
    /// <summary>Not yet cleared at the bedside: open or accepted.</summary>
    public bool IsUnresolved => Status is CallStatuses.Open or CallStatuses.Accepted;
}

internal sealed record CallViewRow(
    long Id, int WardId, int BedId, string Room, string Bed, string Kind, short Priority, string Status,
    int? AssignedStaffId, string? AssignedStaffName, sbyte EscalationLevel,
    DateTime CreatedAt, DateTime? AcceptedAt, DateTime? ResolvedAt, int RepeatCount, string Ward, DateTime? NextEscalationAt,
    string? PresentStaffName, DateTime? PresentSince, string? PagesFailedTo)
{
    public CallView ToView() => new(
        Id, WardId, BedId, Room, Bed, Kind, Priority, Status, AssignedStaffId, AssignedStaffName, EscalationLevel,
        DbTime.ToOffset(CreatedAt), DbTime.ToOffset(AcceptedAt), DbTime.ToOffset(ResolvedAt), RepeatCount, CallKindRules.Band(Kind), Ward,
        DbTime.ToOffset(NextEscalationAt), PresentStaffName, DbTime.ToOffset(PresentSince), PagesFailedTo);
}
