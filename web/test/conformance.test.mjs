// The protocol conformance scenarios (tests/conformance/scenarios.json) run against this client;
// ConformanceTests runs the same file against Dispatch.Client (.NET). JsStationClientTests gives
// each scenario a ward of its own in DISPATCH_CONFORMANCE.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { StationClient, refusal } from "../src/station-client.js";
import { press } from "../testing/bed-device.mjs";

const { scenarios } = JSON.parse(readFileSync(new URL("../../tests/conformance/scenarios.json", import.meta.url), "utf8"));
const server = process.env.DISPATCH_URL;
const wards = JSON.parse(process.env.DISPATCH_CONFORMANCE ?? "{}");

for (const scenario of scenarios) {
  test(`conformance: ${scenario.name}`,
    { skip: server ? false : "DISPATCH_URL not set (run through scripts/test.sh)" }, () => run(scenario.steps, wards[scenario.name]));
}

async function run(steps, setup) {
  const clients = new Map();
  const calls = [];
  try {
    for (const step of steps) {
      if (step.connect) {
        const client = new StationClient(server, setup.token, { maxReconnectDelayMs: 2_000 });
        const entry = { client, received: [], from: 0, arrived: () => {} };
        client.onEvent((e) => { entry.received.push(e); entry.arrived(); });
        await client.start();
        clients.set(step.connect, entry);
      } else if (step.subscribe) {
        const entry = clients.get(step.subscribe);
        const ward = step.ward === "other" ? setup.other : setup.ward;
        const after = step.after === undefined ? undefined : setup.start + step.after;
        const snapshot = await answered(step, entry.client.subscribe(ward, { after }));
        if (snapshot) entry.from = after ?? snapshot.seq;
      } else if (step.raise) {
        for (let i = 0; i < step.raise; i++) calls.push(await press(server, setup.beds[calls.length]));
      } else if (step.acknowledge) {
        await answered(step, clients.get(step.acknowledge).client.acknowledge(calls[step.call - 1]));
      } else if (step.expect) {
        const entry = clients.get(step.expect);
        await waitFor(entry, step.events.length);
        assert.deepEqual(entry.received.map((e) => `${e.type} ${calls.indexOf(e.callId) + 1}`), step.events);
        assert.deepEqual(entry.received.map((e) => e.seq), step.events.map((_, i) => entry.from + i + 1),
          "sequences follow on from where the client subscribed");
      } else {
        throw new Error(`unknown step ${JSON.stringify(step)}`);
      }
    }
  } finally {
    // Open sockets would keep Node running after a failure.
    for (const { client } of clients.values()) await client.stop();
  }
}

/** The invocation's answer; or, when the step expects a refusal, checks that it came with its sentence. */
async function answered(step, invocation) {
  if (!step.refused) return invocation;
  const error = await invocation.then(() => null, (e) => e);
  assert.ok(error, `expected a refusal containing "${step.refused}"`);
  assert.match(refusal(error)?.sentence ?? `(not a refusal: ${error.message})`, new RegExp(step.refused));
  assert.equal(refusal(error).code, step.code);
  return null;
}

function waitFor(entry, count) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`expected ${count} events, got ${entry.received.length}`)), 10_000);
    entry.arrived = () => {
      if (entry.received.length >= count) {
        clearTimeout(timer);
        resolve();
      }
    };
    entry.arrived();
  });
}
