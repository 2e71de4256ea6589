// k6: ramps to STATIONS nurse stations (default 500), each a SignalR WebSocket subscribed to a
// ward and held for HOLD_SECONDS, answering keep-alives and timing every call it is shown.
//
//   export DISPATCH_TOKEN=$(dispatch login --user admin)      # an admin may watch every ward
//   k6 run -e STATIONS=500 -e WARDS=1,2,3,4,5,6 loadtests/k6/connections.js
//
// Run calls.js beside it so that calls arrive. k6 is not installed on the project's machines:
// the tests run this file through loadtests/k6/shim (same protocol frames, real server).
import ws from "k6/ws";
import { check } from "k6";
import { Counter, Rate, Trend } from "k6/metrics";
import { handshake, hubUrl, invocation, MessageType, parse, ping } from "./lib/signalr.js";

const BASE_URL = (__ENV.BASE_URL || "http://127.0.0.1:5080").replace(/\/$/, "");
const STATIONS = Number(__ENV.STATIONS || 500);
const HOLD_SECONDS = Number(__ENV.HOLD_SECONDS || 60);
const RAMP_SECONDS = Number(__ENV.RAMP_SECONDS || 30);
const WARDS = (__ENV.WARDS || "1,2,3,4,5,6").split(",").map(Number);

const subscribed = new Rate("station_subscribed");
const callToStation = new Trend("call_to_station_ms", true);
const callsShown = new Counter("calls_shown");

export const options = {
  scenarios: {
    stations: {
      executor: "ramping-vus",
      startVUs: 0,
      stages: [
        { duration: `${RAMP_SECONDS}s`, target: STATIONS },
        { duration: `${HOLD_SECONDS}s`, target: STATIONS },
      ],
      gracefulRampDown: "5s",
    },
  },
  thresholds: {
    station_subscribed: ["rate>0.999"],
    checks: ["rate>0.999"],
    call_to_station_ms: ["p(99)<250"],
  },
};

export default async function () {
  const ward = WARDS[(__VU - 1) % WARDS.length];
  let nextId = 1;
  const pending = new Map();
  const response = await ws.connect(hubUrl(BASE_URL, __ENV.DISPATCH_TOKEN), {}, (socket) => {
    socket.on("open", () => socket.send(handshake()));
    socket.on("message", (frame) => {
      for (const message of parse(frame)) {
        if (message.type === undefined) {
          // The handshake answer: {} or {error}.
          check(message, { "handshake accepted": (m) => !m.error });
          const id = nextId++;
          pending.set(String(id), "Subscribe");
          socket.send(invocation(id, "Subscribe", [ward]));
        } else if (message.type === MessageType.Completion && pending.get(message.invocationId) === "Subscribe") {
          pending.delete(message.invocationId);
          subscribed.add(!message.error && message.result && message.result.wardId === ward);
        } else if (message.type === MessageType.Invocation && message.target === "WardEvent") {
          const event = message.arguments[0];
          // A press shows as a new call, or as its bed's open call announced again (one open call per bed and kind).
          if (event.type === "call_raised" || event.type === "call_repeated") {
            callToStation.add(Date.now() - Date.parse(event.at));
            callsShown.add(1);
          }
        } else if (message.type === MessageType.Close) {
          check(message, { "closed without error": (m) => !m.error });
        }
      }
    });
    socket.setInterval(() => socket.send(ping()), 15_000);
    socket.setTimeout(() => socket.close(), HOLD_SECONDS * 1000);
  });
  check(response, { "websocket upgraded (101)": (r) => r && r.status === 101 });
}
