// The ops page: every live node (from the nodes' heartbeat rows), every ward's open calls and the
// bridge's lag (most at risk first, in words and colour), the last hour's escalations, each with a
// five-minute sparkline kept in the page; and, over the hub, the alarms as they happen (a ward no
// station watches, a call shown on no screen), each with its runbook.
import { StationClient } from "./station-client.js";
import { byRisk, wardRisk } from "./ops-state.js";

const $ = (selector) => document.querySelector(selector);
const REFRESH_MS = 5_000;
const HISTORY = 60;
const history = new Map();
let token = sessionStorage.getItem("dispatch.ops.token");
// When the summary last answered, and how many refreshes in a row have failed since: two turn the page red.
let lastGood = null;
let failures = 0;
let live = null;
// Wards reported unwatched while the page is open (until their next summary shows no open calls).
const unwatched = new Set();
const RISK = ["quiet", "busy", "warning", "critical"];

function remember(key, value) {
  const points = history.get(key) ?? [];
  points.push(value);
  if (points.length > HISTORY) points.shift();
  history.set(key, points);
  return points;
}

/** A small SVG line of the recent values, scaled to its own maximum, which is written beside it. */
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

/** A row of text cells ending in a sparkline of the last few minutes, with its scale. */
function row(cells, points) {
  const tr = textRow(cells);
  const chart = document.createElement("td");
  const scale = document.createElement("span");
  scale.className = "scale";
  scale.textContent = `0–${Math.max(0, ...points)}`;
  chart.append(sparkline(points), scale);
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
  for (const w of summary.wards.filter((w) => w.openCalls === 0)) unwatched.delete(w.wardId);
  $("#wards tbody").replaceChildren(...[...summary.wards].sort(byRisk(unwatched)).map((w) => {
    const risk = wardRisk(w, unwatched.has(w.wardId));
    const tr = row(
      // Nobody on duty: the ward's calls go unassigned until they escalate.
      [`${w.wardId} ${w.name}`, risk.words.join("; ") || "—", w.nursesOnDuty || "0: nobody", w.openCalls, w.unacknowledged,
        w.openCalls ? duration(w.oldestSeconds) : "—", w.relayLag ?? "—"],
      remember(`ward:${w.wardId}`, w.openCalls));
    tr.className = `risk-${RISK[risk.rank]}`;
    tr.dataset.wardId = w.wardId;
    return tr;
  }));
  // Silent nurse-call lines first (every ward's calls from the primary system), then silent bed
  // devices (each with a trouble call at its bed) and silent or muted station screens.
  const silentLines = summary.silentLines ?? [];
  $("#troubles tbody").replaceChildren(
    ...silentLines.map((l) => textRow([`nurse-call line ${l.name}`, "all", "not heard: its calls do not reach Dispatch", duration(l.silentSeconds)])),
    ...summary.troubles.map((t) => textRow([`bed ${t.room} ${t.bed}`, t.wardId, `trouble call ${t.callId}`, duration(t.silentSeconds)])),
    ...summary.silentStations.map((s) => textRow([`station ${s.name}`, s.wardId, "reported to the ward", duration(s.silentSeconds)])),
    ...summary.mutedStations.map((s) => textRow([`station ${s.name}`, s.wardId, "cannot play sound", duration(s.mutedSeconds)])));
  $("#no-troubles").hidden = silentLines.length + summary.troubles.length + summary.silentStations.length + summary.mutedStations.length > 0;
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
  live?.stop().catch(() => {});
  live = null;
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
  const session = await response.json();
  token = session.token;
  sessionStorage.setItem("dispatch.ops.token", token);
  sessionStorage.setItem("dispatch.ops.onDuty", JSON.stringify(session.onDuty));
  start();
});

const RUNBOOKS = {
  unwatched: ["runbooks/ward-unwatched.md", "A ward no station watches"],
  notDisplayed: ["runbooks/ward-unwatched.md", "A call shown on no screen"],
};

/** An alarm as it arrives over the hub: when, what, and the runbook to follow. */
function alarm(kind, message) {
  const [path, title] = RUNBOOKS[kind];
  const item = document.createElement("li");
  item.className = "alarm";
  const time = document.createElement("time");
  time.textContent = new Date().toLocaleTimeString();
  const link = document.createElement("a");
  link.href = path;
  link.textContent = `Runbook: ${title}`;
  item.append(time, ` ${message} `, link);
  $("#alarms").prepend(item);
  $("#no-alarms").hidden = true;
}

/** The hub link that brings the alarms; an administrator or manager off duty is sent none. */
async function listen() {
  live = new StationClient(location.origin, token, { maxReconnectDelayMs: 10_000 });
  live.onState((state) => {
    if (typeof state !== "string") return;
    $("#live").textContent = state === "connected" ? "Alarms arrive live." : `Alarms: ${state.replace("_", " ")}; the summary below still refreshes.`;
    $("#live").className = state === "connected" ? "" : "notice";
  });
  live.onWardUnwatched((alert) => {
    unwatched.add(alert.wardId);
    alarm("unwatched", alert.message);
    refresh().catch(() => {});
  });
  live.onCallNotDisplayed((alert) => alarm("notDisplayed", alert.message));
  await live.start().catch(() => {});
}

function start() {
  $("#sign-in").hidden = true;
  $("#dashboard").hidden = false;
  const onDuty = JSON.parse(sessionStorage.getItem("dispatch.ops.onDuty") ?? "true");
  $("#off-duty").hidden = onDuty;
  refresh();
  refreshKpis();
  listen();
}

setInterval(() => token && refresh().catch(() => {}), REFRESH_MS);
setInterval(() => token && refreshKpis().catch(() => {}), 6 * REFRESH_MS);
if (token) start();
