import { metric } from "./metrics.mjs";

const checks = metric("checks", "rate");

/** k6's check: each named predicate adds a pass or a fail to the "checks" rate. */
export function check(value, predicates) {
  let all = true;
  for (const [name, predicate] of Object.entries(predicates)) {
    let ok;
    try {
      ok = Boolean(predicate(value));
    } catch {
      ok = false;
    }
    checks.add(ok);
    if (!ok) {
      all = false;
      console.error(`check failed: ${name}`);
    }
  }
  return all;
}

/** Blocks in k6; here it returns a promise, so scripts that sleep must await it. */
export function sleep(seconds) {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}
