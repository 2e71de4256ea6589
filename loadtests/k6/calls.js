// k6: bed devices pressing their call buttons, RATE calls per second for DURATION seconds,
// through the API as a bed device does (POST /api/calls with its X-Device-Key).
//
//   k6 run -e RATE=50 -e DURATION=60 -e DEVICES=.local/run/demo-credentials.env loadtests/k6/calls.js
//
// The devices file holds BED_<id>_WARD and BED_<id>_KEY lines, as the demo seed writes.
import http from "k6/http";
import { check } from "k6";
import { Trend } from "k6/metrics";
import { parseDevices } from "./lib/signalr.js";

const BASE_URL = (__ENV.BASE_URL || "http://127.0.0.1:5080").replace(/\/$/, "");
const RATE = Number(__ENV.RATE || 50);
const DURATION = Number(__ENV.DURATION || 60);
const beds = parseDevices(open(__ENV.DEVICES || "../../.local/run/demo-credentials.env"));

const raiseTime = new Trend("raise_ms", true);

export const options = {
  scenarios: {
    calls: {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: `${DURATION}s`,
      preAllocatedVUs: Math.max(10, RATE),
      maxVUs: Math.max(50, RATE * 4),
    },
  },
  thresholds: {
    checks: ["rate>0.999"],
    raise_ms: ["p(99)<500"],
  },
};

export default async function () {
  const bed = beds[(__ITER * 7 + __VU) % beds.length];
  const started = Date.now();
  const response = await http.post(`${BASE_URL}/api/calls`, JSON.stringify({ bedId: bed.bedId, kind: "normal" }), {
    headers: { "Content-Type": "application/json", "X-Device-Key": bed.key },
  });
  raiseTime.add(Date.now() - started);
  check(response, {
    // 201: a new call; 200: the bed's open call of that kind, announced again (one open call per bed and kind).
    "call raised or announced again (201/200)": (r) => r.status === 201 || r.status === 200,
    "in the bed's ward": (r) => (r.status === 201 || r.status === 200) && r.json().wardId === bed.wardId,
  });
}
