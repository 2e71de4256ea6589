namespace Dispatch.Contracts;

// The device registry: bed call-button devices and nurse-station screens.

/// <summary>POST /api/devices: {kind: "bed", name, bedId} or {kind: "station", name, wardId}.</summary>
public sealed record RegisterDeviceRequest(string? Kind, string? Name, int? BedId = null, int? WardId = null);

/// <summary>A device as the maintenance view lists it. Silent: it has a trouble call or was reported to its ward.</summary>
public sealed record DeviceRow(int Id, string Kind, string Name, int? BedId, int? WardId, DateTimeOffset? LastSeenAt, bool Silent);

/// <summary>A new device and its key: shown this once; only its hash is stored.</summary>
public sealed record RegisteredDevice(int Id, string Kind, string Name, int? BedId, int? WardId, string Key);
