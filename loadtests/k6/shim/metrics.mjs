// The shim's metric registry: k6's Trend, Counter and Rate, the built-in "checks" and
// "iterations", and k6's threshold expressions (rate>0.99, p(99)<250, count>0, avg<..., max<...).
export const registry = new Map();

export class Metric {
  constructor(name, kind, isTime = false) {
    this.name = name;
    this.kind = kind;
    this.isTime = isTime;
    this.values = [];
    registry.set(name, this);
  }

  add(value) {
    this.values.push(this.kind === "rate" ? (value ? 1 : 0) : Number(value));
  }

  /** The figure a threshold expression names; undefined when there are no samples. */
  stat(name) {
    const values = this.values;
    if (values.length === 0) return undefined;
    const sum = values.reduce((a, b) => a + b, 0);
    if (name === "count") return this.kind === "counter" ? sum : values.length;
    if (name === "rate") return sum / values.length;
    if (name === "avg") return sum / values.length;
    if (name === "min") return Math.min(...values);
    if (name === "max") return Math.max(...values);
    if (name === "med") return percentile(values, 50);
    const p = /^p\((\d+(?:\.\d+)?)\)$/.exec(name);
    if (p) return percentile(values, Number(p[1]));
    throw new Error(`Unknown threshold statistic ${name} on ${this.name}`);
  }

  summary() {
    if (this.kind === "counter") return { count: this.stat("count") ?? 0 };
    if (this.kind === "rate") return { rate: this.stat("rate"), passes: this.values.filter((v) => v === 1).length, fails: this.values.filter((v) => v === 0).length };
    return { count: this.values.length, avg: this.stat("avg"), med: this.stat("med"), "p(95)": this.stat("p(95)"), "p(99)": this.stat("p(99)"), max: this.stat("max") };
  }
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function metric(name, kind) {
  return registry.get(name) ?? new Metric(name, kind);
}

/** Evaluates options.thresholds; returns the failures as sentences. A metric with no samples fails. */
export function evaluateThresholds(thresholds = {}) {
  const failures = [];
  for (const [name, expressions] of Object.entries(thresholds)) {
    for (const expression of expressions) {
      const match = /^\s*([a-z]+|p\(\d+(?:\.\d+)?\))\s*(<=|>=|<|>|==)\s*([\d.]+)\s*$/.exec(expression);
      if (!match) throw new Error(`Unsupported threshold "${expression}" on ${name}`);
      const value = registry.get(name)?.stat(match[1]);
      const limit = Number(match[3]);
      const ok = value !== undefined && {
        "<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit, "==": value === limit,
      }[match[2]];
      if (!ok) failures.push(`${name}: ${expression} (was ${value ?? "no samples"})`);
    }
  }
  return failures;
}
