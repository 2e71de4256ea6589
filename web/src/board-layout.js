// Where each call's tile goes, so that the board never moves under a nurse's finger. Pure, so
// Node tests it without a browser.

/** The bands, most urgent first, as the header counts them. */
export const BANDS = ["code", "emergency", "assist", "routine", "trouble"];

/**
 * The tiles to show, in order. Not held: the calls in urgency order. Held (a finger is on the
 * board, or has just left it): every tile already shown keeps its place, with its call's new
 * state; a call that ended stays as a `cleared` tile; new calls go after them, most urgent
 * first. The board takes the urgency order again once the hold ends.
 * @param {Array<number>} shownIds the tiles on screen now, in order
 * @param {Array<object>} calls the open calls, most urgent first
 * @param {boolean} held
 * @returns {Array<{id: number, call: object|null}>} call null: cleared while held
 */
export function arrange(shownIds, calls, held) {
  if (!held) return calls.map((call) => ({ id: call.id, call }));
  const byId = new Map(calls.map((call) => [call.id, call]));
  const kept = shownIds.map((id) => ({ id, call: byId.get(id) ?? null }));
  const shown = new Set(shownIds);
  return [...kept, ...calls.filter((call) => !shown.has(call.id)).map((call) => ({ id: call.id, call }))];
}

/** How many open calls of each band, and how many nobody has acknowledged: the header's counts. */
export function countByBand(calls) {
  const counts = Object.fromEntries(BANDS.map((band) => [band, 0]));
  for (const call of calls) counts[call.band] = (counts[call.band] ?? 0) + 1;
  return { ...counts, total: calls.length, waiting: calls.filter((call) => call.status === "open").length };
}

/**
 * The calls whose tiles are not wholly in view (cut at the bottom, or further down): the "more
 * below" cue names how many, and how many of them wait. `visibleBottom`: where the view ends.
 * @param {Array<{call: object|null, bottom: number}>} tiles each tile's call and its bottom edge
 */
export function below(tiles, visibleBottom) {
  const hidden = tiles.filter((tile) => tile.call && tile.bottom > visibleBottom);
  return { count: hidden.length, waiting: hidden.filter((tile) => tile.call.status === "open").length };
}
