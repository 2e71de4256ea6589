// What a bed's call button does, for the tests that run against a real server: a new call at
// the bed, by its device key. Each test presses a bed of its own per call (a bed has one open call
// per kind, so a second press would re-announce the first call).
import assert from "node:assert/strict";

/** Presses the bed's button for a normal call; returns the new call's id. */
export async function press(server, bed) {
  const response = await fetch(new URL("/api/calls", server), {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Device-Key": bed.key },
    body: JSON.stringify({ bedId: bed.id, kind: "normal" }),
  });
  const body = await response.text();
  assert.equal(response.status, 201, body);
  return JSON.parse(body).id;
}
