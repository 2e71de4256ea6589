// The ops page's judgement of each ward at 3 a.m.: which needs someone first, and why, in words.
// Pure, so Node tests it without a browser.

/** Past this a waiting call has escalated at least once (Escalation:Level1Seconds, 90 s). */
export const FIRST_ESCALATION_SECONDS = 90;

/**
 * How much a ward needs attention: 3 critical (calls and nobody on duty to take them, or calls
 * and no station watching), 2 warning (a call waiting past its first escalation), 1 busy (open
 * calls), 0 quiet; with the reasons, most serious first.
 * @param {{openCalls: number, unacknowledged: number, oldestSeconds: number, nursesOnDuty: number}} ward
 * @param {boolean} unwatched reported unwatched (no station connected) since the page opened
 */
export function wardRisk(ward, unwatched = false) {
  const reasons = [];
  if (ward.openCalls > 0 && ward.nursesOnDuty === 0) reasons.push({ rank: 3, words: "calls and nobody on duty" });
  if (ward.openCalls > 0 && unwatched) reasons.push({ rank: 3, words: "no station watching" });
  if (ward.unacknowledged > 0 && ward.oldestSeconds > FIRST_ESCALATION_SECONDS) reasons.push({ rank: 2, words: "a call waiting past 90 s" });
  if (ward.openCalls > 0 && reasons.length === 0) reasons.push({ rank: 1, words: "open calls" });
  return { rank: Math.max(0, ...reasons.map((reason) => reason.rank)), words: reasons.map((reason) => reason.words) };
}

/** Most at risk first; then the oldest open call first; then by name. */
export function byRisk(unwatchedIds) {
  return (a, b) =>
    wardRisk(b, unwatchedIds.has(b.wardId)).rank - wardRisk(a, unwatchedIds.has(a.wardId)).rank
    || (b.openCalls ? b.oldestSeconds : -1) - (a.openCalls ? a.oldestSeconds : -1)
    || a.name.localeCompare(b.name);
}
