using System.ComponentModel.DataAnnotations;

namespace Dispatch.Server.Paging;

/// <summary>Pages to staff members' pagers (section Paging); Dispatch.Gateway sends them.</summary>
public sealed class PagingOptions
{
    public const string Section = "Paging";

    /// <summary>Times a page is sent before it is failed (page_failed): the first and the resends.</summary>
    [Range(1, 10)]
    public int Tries { get; set; } = 3;

    /// <summary>A page not reported answered this long after it was claimed is sent again.</summary>
    [Range(1, 600)]
    public int RetrySeconds { get; set; } = 10;

    /// <summary>How often the cluster's lead looks for pages that have used their tries.</summary>
    [Range(1, 60)]
    public int CheckSeconds { get; set; } = 2;
}
