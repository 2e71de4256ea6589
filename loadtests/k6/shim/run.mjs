// Runs a k6 script under Node, for machines without k6 (k6 is not installable on the project's
// machines). From loadtests/k6:  npm run shim -- connections.js
//
// Supported: the scenario executors ramping-vus (ramp-up only; each VU runs one iteration, which
// is how connections.js holds a station), constant-vus and constant-arrival-rate; k6/ws's
// callback API, k6/http, k6/metrics, check, __ENV, __VU, __ITER and open(). __VU and __ITER are
// set as each iteration starts, so a script reads them before its first await. Prints the metrics
// and threshold results as JSON; exits 99 when a threshold fails (as k6 does), 1 when an
// iteration threw.
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { evaluateThresholds, metric, registry } from "./metrics.mjs";

const script = path.resolve(process.argv[2] ?? "");
globalThis.__ENV = { ...process.env };
globalThis.__VU = 0;
globalThis.__ITER = 0;
globalThis.open = (file) => readFileSync(path.resolve(path.dirname(script), file), "utf8");

const k6Script = await import(pathToFileURL(script).href);
const options = k6Script.options ?? {};
const iterations = metric("iterations", "counter");
const iterationErrors = metric("iteration_errors", "counter");
const iterationsOfVu = new Map();

const seconds = (duration) => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(String(duration));
  if (!match) throw new Error(`Unsupported duration "${duration}"`);
  return Number(match[1]) * { ms: 0.001, s: 1, m: 60 }[match[2]];
};
const delay = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));

async function iteration(vu) {
  const iter = iterationsOfVu.get(vu) ?? 0;
  iterationsOfVu.set(vu, iter + 1);
  globalThis.__VU = vu;
  globalThis.__ITER = iter;
  try {
    await k6Script.default();
  } catch (error) {
    iterationErrors.add(1);
    console.error(`VU ${vu} iteration ${iter}: ${error?.stack ?? error}`);
  }
  iterations.add(1);
}

const executors = {
  "ramping-vus": async (scenario) => {
    const runs = [];
    let vus = scenario.startVUs ?? 0;
    for (let vu = 1; vu <= vus; vu++) runs.push(iteration(vu));
    for (const stage of scenario.stages) {
      const from = vus;
      const to = stage.target;
      const span = seconds(stage.duration);
      for (let vu = from + 1; vu <= to; vu++) {
        runs.push(delay((span * (vu - from)) / (to - from)).then(() => iteration(vu)));
      }
      vus = Math.max(vus, to);
      await delay(span);
    }
    await Promise.all(runs);
  },
  "constant-vus": async (scenario) => {
    const end = Date.now() + seconds(scenario.duration) * 1000;
    await Promise.all(Array.from({ length: scenario.vus }, async (_, i) => {
      while (Date.now() < end) await iteration(i + 1);
    }));
  },
  "constant-arrival-rate": async (scenario) => {
    const interval = seconds(scenario.timeUnit ?? "1s") / scenario.rate;
    const count = Math.floor(seconds(scenario.duration) / interval);
    const vus = scenario.preAllocatedVUs ?? 1;
    const runs = [];
    const started = Date.now();
    for (let i = 0; i < count; i++) {
      await delay(Math.max(0, started / 1000 + i * interval - Date.now() / 1000));
      runs.push(iteration((i % vus) + 1));
    }
    await Promise.all(runs);
  },
};

const scenarios = Object.entries(options.scenarios ?? { default: { executor: "constant-vus", vus: 1, duration: "1s" } });
await Promise.all(scenarios.map(([name, scenario]) => {
  const executor = executors[scenario.executor];
  if (!executor) throw new Error(`Scenario ${name}: executor ${scenario.executor} is not supported by the shim`);
  return executor(scenario);
}));

const failures = evaluateThresholds(options.thresholds);
const metrics = Object.fromEntries([...registry].map(([name, m]) => [name, m.summary()]));
console.log(JSON.stringify({ script: path.basename(script), metrics, thresholdFailures: failures }, null, 2));
process.exit(failures.length > 0 ? 99 : iterationErrors.stat("count") > 0 ? 1 : 0);
