// The ops page's ward judgement, without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { byRisk, wardRisk } from "../src/ops-state.js";

const ward = (wardId, name, openCalls, unacknowledged, oldestSeconds, nursesOnDuty) => ({ wardId, name, openCalls, unacknowledged, oldestSeconds, nursesOnDuty });

test("a ward with calls and nobody on duty, or no station watching, is critical, with its reasons in words", () => {
  assert.deepEqual(wardRisk(ward(1, "A", 2, 2, 30, 0)), { rank: 3, words: ["calls and nobody on duty"] });
  assert.deepEqual(wardRisk(ward(1, "A", 1, 1, 200, 2), true), { rank: 3, words: ["no station watching", "a call waiting past 90 s"] });
  assert.deepEqual(wardRisk(ward(1, "A", 1, 1, 200, 2)), { rank: 2, words: ["a call waiting past 90 s"] });
  assert.deepEqual(wardRisk(ward(1, "A", 1, 0, 300, 2)), { rank: 1, words: ["open calls"] });
  assert.deepEqual(wardRisk(ward(1, "A", 0, 0, 0, 0), true), { rank: 0, words: [] });
});

test("wards are listed most at risk first, then by their oldest call, then by name", () => {
  const wards = [ward(1, "Quiet", 0, 0, 0, 3), ward(2, "Busy", 2, 0, 40, 3), ward(3, "Late", 1, 1, 1260, 2), ward(4, "Empty", 1, 1, 10, 0), ward(5, "Busier", 1, 0, 80, 3)];
  assert.deepEqual(wards.sort(byRisk(new Set())).map((w) => w.name), ["Empty", "Late", "Busier", "Busy", "Quiet"]);
});
