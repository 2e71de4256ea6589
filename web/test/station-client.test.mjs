// Unit tests of the sequence rules, and (when DISPATCH_URL is set, as the .NET integration test
// JsStationClientTests does) the client against a real Dispatch server.
import { test } from "node:test";
import assert from "node:assert/strict";
import { StationClient, WardSequence, ForeverJitteredRetryPolicy, refusal, refusalSentence } from "../src/station-client.js";
import { press } from "../testing/bed-device.mjs";

test("the next sequence is applied; old ones are duplicates; a jump is a gap", () => {
  const ward = new WardSequence(5);
  assert.equal(ward.observe(6), "next");
  assert.equal(ward.observe(6), "duplicate");
  assert.equal(ward.observe(3), "duplicate");
  assert.equal(ward.observe(9), "gap");
  assert.equal(ward.last, 6);
  assert.equal(ward.isBehind(7), true);
  assert.equal(ward.isBehind(6), false);
});

test("a refusal's sentence and code are read from the hub's error text; a lost link is not a refusal", () => {
  const error = new Error("An unexpected error occurred invoking 'Subscribe' on the server. HubException: Ward 3 is not your ward. [not_your_ward]");
  assert.deepEqual(refusal(error), { sentence: "Ward 3 is not your ward.", code: "not_your_ward" });
  assert.equal(refusalSentence(error), "Ward 3 is not your ward.");
  assert.deepEqual(refusal(new Error("HubException: A sentence without a code.")), { sentence: "A sentence without a code.", code: null });
  assert.equal(refusal(new Error("Invocation canceled due to the underlying connection being closed.")), null);
});

test("reconnect delays never run out and stay under the cap", () => {
  const policy = new ForeverJitteredRetryPolicy(2_000);
  for (const previousRetryCount of [0, 1, 5, 50, 10_000]) {
    const delay = policy.nextRetryDelayInMilliseconds({ previousRetryCount });
    assert.ok(delay >= 0 && delay <= 2_000, `delay ${delay} after ${previousRetryCount} retries`);
  }
  assert.ok(policy.nextRetryDelayInMilliseconds({ previousRetryCount: 0 }) <= 500);
});

const server = process.env.DISPATCH_URL;

test("against a real server: calls arrive once and in order, live and replayed from a saved sequence",
  { skip: server ? false : "DISPATCH_URL not set (run through scripts/test.sh)" }, async () => {
    const ward = Number(process.env.DISPATCH_WARD);
    const live = await connect();
    const reloaded = await connect();
    try {
      const snapshot = await live.client.subscribe(ward);

      const raised = [];
      for (let i = 0; i < 3; i++) raised.push(await raise());
      await live.waitFor(3);
      assert.deepEqual(live.received.map((e) => e.callId), raised);
      assert.deepEqual(live.received.map((e) => e.seq), [1, 2, 3].map((n) => snapshot.seq + n));

      // A page reloaded after the first call: it resumes from the sequence it had shown.
      await reloaded.client.subscribe(ward, { after: snapshot.seq + 1 });
      raised.push(await raise());
      await reloaded.waitFor(3);
      await live.waitFor(4);
      assert.deepEqual(reloaded.received.map((e) => e.callId), raised.slice(1));
      assert.deepEqual(reloaded.received.map((e) => e.seq), [2, 3, 4].map((n) => snapshot.seq + n));
      assert.deepEqual(live.received.map((e) => e.callId), raised);
    } finally {
      // Open sockets would keep Node running after a failure.
      await live.client.stop();
      await reloaded.client.stop();
    }
  });

async function connect() {
  const client = new StationClient(server, process.env.DISPATCH_TOKEN, { maxReconnectDelayMs: 2_000 });
  const received = [];
  let arrived = () => {};
  client.onEvent((e) => { received.push(e); arrived(); });
  const waitFor = (count) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`expected ${count} events, got ${received.length}`)), 10_000);
    const check = () => {
      if (received.length >= count) {
        clearTimeout(timer);
        resolve();
      }
    };
    arrived = check;
    check();
  });
  await client.start();
  return { client, received, waitFor };
}

const beds = JSON.parse(process.env.DISPATCH_BEDS ?? "[]");
let pressed = 0;

const raise = () => press(server, beds[pressed++]);
