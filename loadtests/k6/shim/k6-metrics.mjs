import { Metric } from "./metrics.mjs";

export class Trend extends Metric {
  constructor(name, isTime = false) { super(name, "trend", isTime); }
}

export class Counter extends Metric {
  constructor(name) { super(name, "counter"); }
}

export class Rate extends Metric {
  constructor(name) { super(name, "rate"); }
}

export class Gauge extends Metric {
  constructor(name) { super(name, "gauge"); }
}
