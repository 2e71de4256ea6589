namespace Dispatch.Contracts;

// Bedside requests (X-Device-Key or a patient nonce) and what they answer.

/// <summary>POST /api/calls: a call from the bed, with the device key in X-Device-Key or a patient nonce.</summary>
public sealed record RaiseCallRequest(int BedId, string? Kind, string? Nonce = null);

/// <summary>POST /api/calls/{id}/cancel: a patient nonce, when no device key is sent.</summary>
public sealed record BedsideRequest(string? Nonce = null);

/// <summary>POST /api/beds/{id}/presence: the nurse whose badge the bed device read.</summary>
public sealed record PresenceRequest(int StaffId);

/// <summary>The calls presence cleared, and those it leaves open (code and emergency calls).</summary>
public sealed record PresenceResult(IReadOnlyList<CallView> Resolved, IReadOnlyList<CallView> StillOpen);

/// <summary>A one-time nonce for a patient's tablet at one bed.</summary>
public sealed record PatientSession(string Nonce, DateTimeOffset ExpiresAt);
