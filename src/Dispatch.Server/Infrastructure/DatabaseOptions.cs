using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Infrastructure;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>The primary, where every write goes. From configuration or the environment, never committed.</summary>
    [Required]
    public string ConnectionString { get; set; } = "";

    /// <summary>Folder holding NNN_name.up.sql / .down.sql; defaults to the copy beside the binary.</summary>
    public string MigrationsPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "db", "migrations");
}
