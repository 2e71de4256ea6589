// The board's layout rules, without a browser: tiles never move under a finger, every call is counted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { arrange, below, countByBand } from "../src/board-layout.js";

const call = (id, band, status = "open") => ({ id, band, status });

test("not held, the tiles take the calls' urgency order", () => {
  const calls = [call(3, "code"), call(1, "routine"), call(2, "routine")];
  assert.deepEqual(arrange([1, 2], calls, false).map((tile) => tile.id), [3, 1, 2]);
});

test("held, a code blue that arrives goes after the tiles on screen, which keep their places", () => {
  const calls = [call(3, "code"), call(1, "routine"), call(2, "routine")];
  assert.deepEqual(arrange([1, 2], calls, true).map((tile) => tile.id), [1, 2, 3]);
});

test("held, a call that ended stays as a cleared tile so nothing below it moves up", () => {
  const tiles = arrange([1, 2, 4], [call(2, "routine", "accepted"), call(4, "routine")], true);
  assert.deepEqual(tiles.map((tile) => [tile.id, tile.call?.status ?? "cleared"]), [[1, "cleared"], [2, "accepted"], [4, "open"]]);
});

test("the header counts every open call by band, and those waiting", () => {
  const counts = countByBand([call(1, "code"), call(2, "routine", "accepted"), call(3, "routine"), call(4, "trouble")]);
  assert.deepEqual(counts, { code: 1, emergency: 0, assist: 0, routine: 2, trouble: 1, total: 4, waiting: 3 });
});

test("tiles not wholly in view are counted below, a tile cut at the edge too, cleared ones not", () => {
  const tiles = [{ call: call(1, "code"), bottom: 200 }, { call: call(2, "routine", "accepted"), bottom: 550 }, { call: call(3, "routine"), bottom: 800 }, { call: null, bottom: 900 }];
  assert.deepEqual(below(tiles, 500), { count: 2, waiting: 1 });
  assert.deepEqual(below(tiles, 1000), { count: 0, waiting: 0 });
});
