import { test } from "node:test";
import assert from "node:assert/strict";
import { audible, rhythm, SILENCE_MS, toneOf } from "../src/sound.js";

test("a silence covers routine, assist and trouble tones until it ends, then they sound again by themselves", () => {
  const now = 1_000_000;
  const silencedUntil = now + SILENCE_MS;
  for (const band of ["routine", "assist", "trouble"]) {
    assert.equal(audible(band, silencedUntil, now), false, `${band} is silenced`);
    assert.equal(audible(band, silencedUntil, silencedUntil), true, `${band} sounds once the silence ends`);
    assert.equal(audible(band, 0, now), true, `${band} sounds when nothing is silenced`);
  }
});

test("a code blue and a staff emergency sound through any silence", () => {
  for (const band of ["code", "emergency"]) {
    assert.equal(audible(band, Number.MAX_SAFE_INTEGER, 0), true, band);
  }
});

test("every tone has a rhythm of its own, and the more urgent the band the more pulses", () => {
  const tones = ["code", "emergency", "assist", "routine", "bath", "trouble", "offline"];
  const shapes = tones.map((tone) => JSON.stringify(rhythm(tone)));
  assert.equal(new Set(shapes).size, tones.length, "no two tones share a rhythm: told apart without their pitch");
  const count = (tone) => rhythm(tone).length;
  assert.ok(count("code") > count("emergency") && count("emergency") > count("assist") && count("assist") > count("routine"));
  assert.deepEqual(toneOf({ kind: "bath", band: "routine" }), "bath");
  assert.deepEqual(toneOf({ kind: "normal", band: "routine" }), "routine");
});
