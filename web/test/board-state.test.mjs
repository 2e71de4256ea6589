// The board's state rules, without a browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BoardState, byUrgency } from "../src/board-state.js";

const call = (id, priority, createdAt, status = "open") => ({ id, priority, createdAt, status });

test("calls are ordered most urgent first, then oldest first", () => {
  const calls = [call(1, 20, "2026-01-01T10:00:02Z"), call(2, 60, "2026-01-01T10:00:03Z"), call(3, 20, "2026-01-01T10:00:01Z")];
  assert.deepEqual(calls.sort(byUrgency).map((c) => c.id), [2, 3, 1]);
});

test("events update the board; a resolved call leaves it; waiting calls are the unacknowledged ones", () => {
  const board = new BoardState();
  board.load({ calls: [call(1, 20, "2026-01-01T10:00:00Z")] });
  board.apply({ type: "call_raised", callId: 2, call: call(2, 60, "2026-01-01T10:00:05Z") });
  board.apply({ type: "call_accepted", callId: 1, call: call(1, 20, "2026-01-01T10:00:00Z", "accepted") });
  assert.deepEqual(board.calls.map((c) => c.id), [2, 1]);
  assert.deepEqual(board.waiting.map((c) => c.id), [2]);
  const before = board.apply({ type: "call_resolved", callId: 2, call: call(2, 60, "2026-01-01T10:00:05Z", "resolved") });
  assert.equal(before.id, 2);
  assert.deepEqual(board.calls.map((c) => c.id), [1]);
});

test("a bed pressing again updates its call in place: one row, with the count of presses", () => {
  const board = new BoardState();
  board.load({ calls: [call(1, 20, "2026-01-01T10:00:00Z")] });
  const before = board.apply({ type: "call_repeated", callId: 1, call: { ...call(1, 20, "2026-01-01T10:00:00Z"), repeatCount: 2 } });
  assert.equal(before.id, 1, "the call was already on the board");
  assert.deepEqual(board.calls.map((c) => [c.id, c.repeatCount]), [[1, 2]]);
});

test("a silent station stays listed until it is back; station events leave the calls alone", () => {
  const board = new BoardState();
  const desk = (deviceId, name) => ({ deviceId, wardId: 1, name, lastSeenAt: "2026-01-01T10:00:00Z" });
  board.load({ calls: [call(1, 20, "2026-01-01T10:00:00Z")], silentStations: [desk(7, "Desk B")] });
  assert.equal(board.apply({ type: "station_silent", callId: null, call: null, station: desk(8, "Desk A") }), undefined);
  assert.deepEqual(board.silentStations.map((s) => s.name), ["Desk A", "Desk B"]);
  board.apply({ type: "station_back", callId: null, call: null, station: desk(7, "Desk B") });
  assert.deepEqual(board.silentStations.map((s) => s.deviceId), [8]);
  board.apply({ type: "station_retired", callId: null, call: null, station: desk(8, "Desk A") });
  assert.deepEqual(board.silentStations, []);
  assert.deepEqual(board.calls.map((c) => c.id), [1]);
});

test("a station that cannot play sound stays listed until it can; a snapshot brings the list", () => {
  const board = new BoardState();
  const desk = { deviceId: 7, wardId: 1, name: "Desk", soundOffSince: "2026-01-01T10:00:00Z" };
  board.load({ calls: [], mutedStations: [desk] });
  assert.deepEqual(board.mutedStations.map((s) => s.name), ["Desk"]);
  board.apply({ type: "station_sound_back", station: desk });
  assert.deepEqual(board.mutedStations, []);
  board.apply({ type: "station_muted", station: desk });
  assert.deepEqual(board.mutedStations.map((s) => s.deviceId), [7]);
  assert.deepEqual(board.silentStations, [], "a muted screen is not a silent one");
});
