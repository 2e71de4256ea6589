using Dispatch.Contracts;

namespace Dispatch.Lines;

/// <summary>One protocol's way of sending a batch of pages on an open link to the paging server.</summary>
public interface IPageSender
{
    /// <summary>
    /// Sends the pages in order, calling <paramref name="answered"/> for each the paging server
    /// accepted. Stops at the first page it cannot get accepted (the link is then in doubt); the
    /// pages not answered are sent again when the server hands them out again.
    /// </summary>
    Task SendAsync(LineChannel link, IReadOnlyList<PageToSend> pages, Func<PageToSend, Task> answered, CancellationToken ct);
}
