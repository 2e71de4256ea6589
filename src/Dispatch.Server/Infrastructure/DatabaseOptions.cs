using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Infrastructure;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The primary, where every write goes. From configuration or the environment, never committed.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// A read replica of the primary (MariaDB replication), for reads that may lag a little: the
    /// polling fallback (GET /api/events). Unset: every read goes to the primary.
    /// </summary>
    public string? ReplicaConnectionString { get; set; }

    /// <summary>The replica serves those reads only while it replicates and is at most this far behind.</summary>
    [Range(1, 60)]
    public int ReplicaMaxLagSeconds { get; set; } = 2;

    /// <summary>How often the replica's state (SHOW REPLICA STATUS) is read.</summary>
    [Range(100, 10_000)]
    public int ReplicaCheckMs { get; set; } = 1_000;

    /// <summary>Folder holding NNN_name.up.sql / .down.sql; defaults to the copy beside the binary.</summary>
    public string MigrationsPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "db", "migrations");
}
