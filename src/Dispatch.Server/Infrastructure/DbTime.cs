namespace Dispatch.Server.Infrastructure;

/// <summary>
/// DATETIME columns hold UTC: the database server runs with default-time-zone '+00:00' (the
/// scripts start it so; docs/architecture.md asks the same of a production server).
/// </summary>
public static class DbTime
{
    public static DateTimeOffset ToOffset(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    public static DateTimeOffset? ToOffset(DateTime? utc) => utc is { } value ? ToOffset(value) : null;
}
