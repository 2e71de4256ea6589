namespace Dispatch.Server.Infrastructure;

/// <summary>
/// The connection broke while a transaction's COMMIT was in flight: the database may have
/// committed and lost only its reply, so the change may or may not have been saved. Callers are
/// told so (503) rather than "nothing was saved": a raise may be sent again (one open call per bed
/// and kind, and its Idempotency-Key, return the same call); any other change is looked at first.
/// </summary>
public sealed class CommitOutcomeUnknownException(Exception cause)
    : Exception("The connection to the database broke during the commit; the change may have been saved.", cause);
