// Dispatch.Bridge will relay the outbox from MariaDB to the hub nodes over NetMQ, as leader or hot
// standby (docs/architecture.md). It is not built yet: until it is, each Dispatch.Server relays
// the outbox in-process, which is correct for a single node. Starting it says so and fails, so
// nobody mistakes it for a running bridge.
await Console.Error.WriteLineAsync(
    "Dispatch.Bridge is not built yet; Dispatch.Server relays the outbox in-process (single-node mode). See README.");
return 1;
