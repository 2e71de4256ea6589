// The SignalR JSON hub protocol, as much of it as a station needs
// (https://github.com/dotnet/aspnetcore/blob/main/src/SignalR/docs/specs/HubProtocol.md).
// Every message is JSON followed by the record separator 0x1e.

export const RS = "\u001e";

export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  Ping: 6,
  Close: 7,
};

/** The first frame on a new connection: protocol "json", version 1. The server answers "{}". */
export function handshake() {
  return JSON.stringify({ protocol: "json", version: 1 }) + RS;
}

/** A hub method invocation that expects a completion with the same invocationId. */
export function invocation(invocationId, target, args) {
  return JSON.stringify({ type: MessageType.Invocation, invocationId: String(invocationId), target, arguments: args }) + RS;
}

/** The client's keep-alive: the server closes a connection it has not heard from in 30 s. */
export function ping() {
  return JSON.stringify({ type: MessageType.Ping }) + RS;
}

/** Splits a WebSocket text frame into the messages it carries. */
export function parse(frame) {
  return frame.split(RS).filter((part) => part.length > 0).map((part) => JSON.parse(part));
}

/** The hub URL for WebSockets with skip-negotiation; browsers and k6 send the token in the query. */
export function hubUrl(baseUrl, token) {
  const url = baseUrl.replace(/^http/, "ws").replace(/\/$/, "");
  return `${url}/hubs/dispatch?access_token=${encodeURIComponent(token)}`;
}

/** BED_{id}_WARD / BED_{id}_KEY lines of a devices file (.local/run/demo-credentials.env). */
export function parseDevices(text) {
  const beds = new Map();
  for (const line of text.split("\n")) {
    const match = /^BED_(\d+)_(WARD|KEY)=(\S+)$/.exec(line.trim());
    if (!match) continue;
    const bed = beds.get(match[1]) ?? { bedId: Number(match[1]) };
    if (match[2] === "WARD") bed.wardId = Number(match[3]);
    else bed.key = match[3];
    beds.set(match[1], bed);
  }
  return [...beds.values()].filter((bed) => bed.wardId && bed.key);
}
