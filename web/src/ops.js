// The ops page: every live node (from the nodes' heartbeat rows), every ward's open calls and the
// bridge's lag, the last hour's escalations, each with a five-minute sparkline kept in the page.
const $ = (selector) => document.querySelector(selector);
const REFRESH_MS = 5_000;
const HISTORY = 60;
const history = new Map();
let token = sessionStorage.getItem("dispatch.ops.token");
// When the summary last answered, and how many refreshes in a row have failed since: two turn the page red.
let lastGood = null;
let failures = 0;

function remember(key, value) {
  const points = history.get(key) ?? [];
  points.push(value);
  if (points.length > HISTORY) points.shift();
  history.set(key, points);
  return points;
}

/** A small SVG line of the recent values, scaled to its own maximum. */
function sparkline(points) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${HISTORY} 20`);
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("aria-hidden", "true");
  const max = Math.max(1, ...points);
  const line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
  line.setAttribute("points", points.map((v, i) => `${i + HISTORY - points.length},${20 - (v / max) * 18 - 1}`).join(" "));
  svg.append(line);
  return svg;
}

function textRow(cells) {
  const tr = document.createElement("tr");
  for (const value of cells) {
    const td = document.createElement("td");
    td.textContent = value;
    tr.append(td);
  }
  return tr;
}

/** A row of text cells ending in a sparkline of the last few minutes. */
function row(cells, points) {
  const tr = textRow(cells);
  const chart = document.createElement("td");
  chart.append(sparkline(points));
  tr.append(chart);
  return tr;
}

const duration = (seconds) =>
  seconds >= 3600 ? `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`
  : seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;

/** Red, with the time of the last good answer, once two refreshes in a row have failed. */
function markStale() {
  const stale = lastGood !== null && failures >= 2;
  document.body.classList.toggle("stale", stale);
  $("#stale").hidden = !stale;
  $("#stale").textContent = stale ? `No answer from the server since ${lastGood.toLocaleTimeString()}: every figure below is from then.` : "";
}

async function refresh() {
  const response = await fetch("/api/ops/summary", { headers: { Authorization: `Bearer ${token}` } }).catch(() => null);
  if (response?.status === 401 || response?.status === 403) return showSignIn("Sign in as a manager or an administrator.");
  if (!response?.ok) {
    $("#updated").className = "connection disconnected";
    $("#updated").textContent = response ? `summary failed (${response.status}); retrying` : "no answer from the server; retrying";
    failures++;
    return markStale();
  }
  const summary = await response.json();
  lastGood = new Date();
  failures = 0;
  markStale();
  $("#mode").textContent = `(${summary.mode === "Bridge" ? "cluster" : "single node"})`;
  $("#nodes tbody").replaceChildren(...summary.nodes.map((n) => row(
    [n.name, n.state, n.connections, `${n.memoryMb} MB (${n.memoryPct} %)`, duration(n.uptimeS)],
    remember(`node:${n.name}`, n.connections))));
  $("#wards tbody").replaceChildren(...summary.wards.map((w) => row(
    // Nobody on duty: the ward's calls go unassigned until they escalate.
    [`${w.wardId} ${w.name}`, w.nursesOnDuty || "0: nobody", w.openCalls, w.unacknowledged, w.openCalls ? duration(w.oldestSeconds) : "—", w.relayLag ?? "—"],
    remember(`ward:${w.wardId}`, w.openCalls))));
  // Silent bed devices (each with a trouble call at its bed) and silent station screens.
  $("#troubles tbody").replaceChildren(
    ...summary.troubles.map((t) => textRow([`bed ${t.room} ${t.bed}`, t.wardId, `trouble call ${t.callId}`, duration(t.silentSeconds)])),
    ...summary.silentStations.map((s) => textRow([`station ${s.name}`, s.wardId, "reported to the ward", duration(s.silentSeconds)])));
  $("#no-troubles").hidden = summary.troubles.length + summary.silentStations.length > 0;
  $("#escalations").textContent = [1, 2, 3]
    .map((level) => `level ${level}: ${summary.escalationsLastHour.find((e) => e.level === level)?.count ?? 0}`).join(" · ");
  $("#updated").className = "connection connected";
  $("#updated").textContent = `updated ${new Date(summary.at).toLocaleTimeString()}`;
}

const KPI_NAMES = {
  acknowledgement_time: "Acknowledgement time",
  arrival_time: "Arrival (presence) time",
  escalation_rate: "Calls escalated",
  fairness_deviation: "Fairness of assignments (deviation)",
  nurses_active_within_5_min: "Nurses active within 5 min of shift start",
  nurses_active_within_10_min: "Nurses active within 10 min of shift start",
  event_delivery_latency: "Event delivery latency",
  connection_drop_rate: "Connection drop rate",
};

function figure(kpi, value) {
  if (value === null || value === undefined) return "—";
  return kpi.unit === "share" ? `${Math.round(value * 1000) / 10} %` : kpi.unit === "s" ? `${value} s` : String(value);
}

async function refreshKpis() {
  const response = await fetch("/api/kpis", { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) return;
  const report = await response.json();
  $("#kpis tbody").replaceChildren(...report.kpis.map((kpi) => {
    const tr = document.createElement("tr");
    tr.dataset.kpi = kpi.name;
    const shown = kpi.p90 !== null && kpi.p90 !== undefined
      ? `p50 ${figure(kpi, kpi.p50)} · p90 ${figure(kpi, kpi.p90)} · mean ${figure(kpi, kpi.mean)} (${kpi.count})`
      : kpi.status === "not_recorded" ? kpi.note : `${figure(kpi, kpi.value)} (${kpi.count})`;
    const recorded = kpi.status !== "not_recorded";
    for (const text of [KPI_NAMES[kpi.name] ?? kpi.name, shown, recorded ? figure(kpi, kpi.target) : "", recorded ? figure(kpi, kpi.breach) : "", kpi.status.replace("_", " ")]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.lastChild.className = `kpi-${kpi.status}`;
    return tr;
  }));
}

function showSignIn(message = "") {
  sessionStorage.removeItem("dispatch.ops.token");
  token = null;
  $("#dashboard").hidden = true;
  $("#sign-in").hidden = false;
  $("#sign-in-message").textContent = message;
}

$("#sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/api/sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("#username").value, password: $("#password").value }),
  });
  if (!response.ok) return showSignIn("Sign-in failed: check the username and password.");
  token = (await response.json()).token;
  sessionStorage.setItem("dispatch.ops.token", token);
  start();
});

function start() {
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  refresh();
  refreshKpis();
}

setInterval(() => token && refresh().catch(() => {}), REFRESH_MS);
setInterval(() => token && refreshKpis().catch(() => {}), 6 * REFRESH_MS);
if (token) start();
