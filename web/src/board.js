// The nurse-station board: sign in, watch a ward, see every open call (most urgent first, with a
// live age), hear it until someone acknowledges it, acknowledge or reject it. The station client
// keeps the board exact across reconnects (docs/protocol.md).
import { StationClient, refusal } from "./station-client.js";
import { BoardState, byUrgency } from "./board-state.js";
import { BANDS, arrange, below, countByBand } from "./board-layout.js";
import { LANGUAGES, strings } from "./i18n.js";
import { Sound, toneOf } from "./sound.js";

const REPEAT_MS = 10_000;
// After a finger (or the mouse) leaves the board, tiles keep their places this long more, so a
// second tap lands where the first did.
const HOLD_AFTER_MS = 1_500;
// A tile that moved this recently ignores a tap: it was aimed at what was there before.
const MOVED_GUARD_MS = 700;
// A link lost this long is no blip: the screen says it is not receiving calls, and sounds.
const OFFLINE_AFTER_MS = 3_000;
// A board that found no node to start on tries again after this, and up to twice this.
const START_AGAIN_MS = 2_000;
const $ = (selector) => document.querySelector(selector);
const sound = new Sound();
const board = new BoardState();
// Calls of other wards for the signed-in nurse: her team's kinds (a code team's code blues) and
// calls escalated to her. Loaded from GET /api/staff/me/calls, then kept by their live events.
const forYou = new BoardState();
let client = null;
let language = localStorage.getItem("dispatch.language") ?? "en";
let connection = "disconnected";
// When the link last came back after a drop, shown beside "Connected" so an interruption is never silent.
let reconnectedAt = null;
// When the link was lost (null while connected).
let offlineSince = null;
// Calls this screen has confirmed showing (display receipts), so each is confirmed once.
const confirmed = new Set();
// While a pointer is down on the board, or until heldUntil, tiles do not move (board-layout.js).
let pointerDown = false;
let heldUntil = 0;

// Icons differ in shape as well as colour, so that colour is never the only cue.
const ICONS = {
  code: '<path d="M9 2h6v7h7v6h-7v7H9v-7H2V9h7z"/>',
  emergency: '<path d="M12 1 23 21H1zM11 8v6h2V8zm0 8v2h2v-2z"/>',
  assist: '<circle cx="12" cy="12" r="10"/>',
  routine: '<path d="M12 2a6 6 0 0 0-6 6v6l-2 3h16l-2-3V8a6 6 0 0 0-6-6zm-2 17a2 2 0 0 0 4 0z"/>',
  trouble: '<rect x="3" y="3" width="18" height="18" rx="2"/>',
  // A bathroom call is routine but looks (and sounds) its own: a drop.
  bath: '<path d="M12 2C9 7 5 11 5 15a7 7 0 0 0 14 0c0-4-4-8-7-13z"/>',
};

function t() {
  return strings(language);
}

function applyLanguage() {
  document.documentElement.lang = language;
  document.documentElement.dir = LANGUAGES[language].dir;
  document.title = t().title;
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = t()[element.dataset.text];
  $("#language").value = language;
  renderConnection();
  renderSoundControls();
  renderStaffControls();
  renderOffline();
  render();
}

function renderConnection() {
  const banner = $("#connection");
  // Before anyone signs in there is no link to speak of: no red "Disconnected".
  banner.hidden = $("#board").hidden;
  banner.className = `connection ${connection}`;
  banner.textContent = t()[connection] ?? connection;
  if (connection === "connected" && reconnectedAt) {
    banner.textContent += ` · ${t().reconnectedAt} ${reconnectedAt.toLocaleTimeString(language)}`;
  }
}

/** The full-screen "not receiving calls" once the link has been lost past OFFLINE_AFTER_MS; ages stop meanwhile. */
function renderOffline() {
  const offline = offlineSince !== null && !$("#board").hidden && Date.now() - offlineSince >= OFFLINE_AFTER_MS;
  const overlay = $("#offline");
  if (offline && overlay.hidden) sound.play("offline");
  overlay.hidden = !offline;
  const since = offlineSince ? new Date(offlineSince).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "";
  $("#offline-since").textContent = offline ? t().offlineSince(since) : "";
  $("#calls").classList.toggle("stale", offlineSince !== null);
  $("#for-you-calls").classList.toggle("stale", offlineSince !== null);
}

/** The signed-in staff member's own controls: the duty switch (only on-duty staff are assigned calls and escalations) and the password. */
function renderStaffControls() {
  const session = currentSession();
  $("#signed-in").hidden = !session || $("#board").hidden;
  $("#signed-in").textContent = session ? t().signedInAs(session.displayName) : "";
  $("#duty").hidden = !session || $("#board").hidden;
  $("#change-password").hidden = $("#duty").hidden;
  $("#duty").textContent = session?.onDuty ? t().onDuty : t().offDuty;
  $("#duty").setAttribute("aria-pressed", String(Boolean(session?.onDuty)));
}

function renderSoundControls() {
  $("#enable-sound").hidden = sound.ready;
  $("#sound-needed").hidden = sound.ready || $("#board").hidden;
  // The button says what pressing it does; a silence ends by itself and never covers code or emergency.
  const until = new Date(sound.silencedUntil).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
  $("#mute").textContent = sound.silenced ? t().unmute(until) : t().mute;
  $("#mute").setAttribute("aria-pressed", String(sound.silenced));
}

function minutesSeconds(milliseconds) {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  return `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
}

function age(call) {
  return minutesSeconds(Date.now() - Date.parse(call.createdAt));
}

/** The tile's second line: what a nurse acts on first (state, where it goes next and when, repeats), then who has it. */
function whoLine(call) {
  const time = new Date(call.createdAt).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
  const next = call.status === "open" && call.nextEscalationAt
    ? t().escalatesIn(call.escalationLevel, minutesSeconds(Date.parse(call.nextEscalationAt) - Date.now())) : null;
  const present = call.presentStaffName
    ? t().presentSince(call.presentStaffName, new Date(call.presentSince).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" })) : null;
  return [
    call.status === "accepted" ? t().accepted : t().open,
    present,
    call.escalationLevel > 0 ? `${t().escalation} ${call.escalationLevel}` : null,
    next,
    call.repeatCount > 0 ? t().pressedAgain(call.repeatCount) : null,
    call.assignedStaffName ?? t().unassigned,
    `${t().raisedAt} ${time}`,
  ].filter(Boolean).join(" · ");
}

function held() {
  return pointerDown || Date.now() < heldUntil;
}

function render() {
  const calls = board.calls;
  const placesBefore = tilePlaces();
  renderTiles($("#calls"), calls, { away: false });
  renderTiles($("#for-you-calls"), forYou.calls, { away: true });
  // The section above the ward's tiles appears or goes only when nothing is held: it would move them all.
  if (!held()) $("#for-you").hidden = forYou.calls.length === 0;
  $("#empty").hidden = calls.length > 0;
  markMoved(placesBefore);
  $("#silent-stations").replaceChildren(
    ...board.silentStations.map((station) => renderStationTrouble(station, "silent")),
    ...board.mutedStations.map((station) => renderStationTrouble(station, "muted")));
  renderCounts(calls);
  renderBelow();
  confirmShown(calls);
}

/**
 * Updates the tiles in place (keyed by call), in the order board-layout.js gives: a tile is
 * created once and moved only when the order changes and no finger is on the board, so focus and
 * a pending tap stay on their call. A tile that moved remembers when, for the tap guard.
 */
function renderTiles(list, calls, { away }) {
  const tiles = new Map([...list.children].map((tile) => [Number(tile.dataset.callId), tile]));
  const focused = document.activeElement;
  arrange([...tiles.keys()], calls, held()).forEach(({ id, call }, index) => {
    const tile = tiles.get(id) ?? createTile(id);
    tiles.delete(id);
    updateTile(tile, call, away);
    if (list.children[index] !== tile) list.insertBefore(tile, list.children[index] ?? null);
  });
  for (const gone of tiles.values()) gone.remove();
  if (focused instanceof HTMLElement && focused.isConnected && document.activeElement !== focused) focused.focus({ preventScroll: true });
}

/** Where each tile is on the page now, by its element. */
function tilePlaces() {
  return new Map([...document.querySelectorAll(".call")].map((tile) => {
    const box = tile.getBoundingClientRect();
    return [tile, `${Math.round(box.left + scrollX)},${Math.round(box.top + scrollY)}`];
  }));
}

/** Tiles that are somewhere else than before a redraw remember when they moved (the tap guard). */
function markMoved(placesBefore) {
  const now = String(Date.now());
  for (const [tile, place] of tilePlaces()) {
    const before = placesBefore.get(tile);
    if (before !== undefined && before !== place) tile.dataset.movedAt = now;
  }
}

/** The header's count of every open call of the ward, by band: nothing is ever off screen uncounted. */
function renderCounts(calls) {
  const counts = countByBand(calls);
  $("#count-total").textContent = t().counts(counts.total, counts.waiting);
  $("#count-bands").replaceChildren(...BANDS.filter((band) => counts[band] > 0).map((band) => {
    const chip = document.createElement("li");
    chip.className = `count band-${band}`;
    chip.innerHTML = `<svg class="icon" viewBox="0 0 24 24" aria-hidden="true">${ICONS[band]}</svg><span></span>`;
    chip.querySelector("span").textContent = `${counts[band]} ${t().bands[band]}`;
    return chip;
  }));
}

/**
 * "↓ 12 more calls below": the tiles not wholly in view, and how many of them wait. Measured
 * twice: the cue, once shown, covers the bottom of the view itself.
 */
function renderBelow() {
  const cue = $("#more-below");
  for (let pass = 0; pass < 2; pass++) {
    const bottom = window.innerHeight - $(".board-foot").offsetHeight;
    const tiles = [...document.querySelectorAll("#for-you-calls .call, #calls .call")]
      .map((tile) => ({ call: tile.classList.contains("cleared") ? null : { status: tile.dataset.status }, bottom: tile.getBoundingClientRect().bottom }));
    const hidden = $("#board").hidden ? { count: 0, waiting: 0 } : below(tiles, bottom);
    cue.hidden = hidden.count === 0;
    cue.textContent = t().moreBelow(hidden.count, hidden.waiting);
  }
}

/**
 * A station screen of the ward in trouble, in the lowest band below every call: gone dark
 * (`since` its last sighting), or unable to sound (`since` it said so).
 */
function renderStationTrouble(station, kind) {
  const item = document.createElement("li");
  item.className = kind === "muted" ? "station-silent station-muted" : "station-silent";
  item.dataset.deviceId = station.deviceId;
  const at = kind === "muted" ? station.soundOffSince : station.lastSeenAt;
  const since = at ? new Date(at).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" }) : "?";
  item.textContent = kind === "muted" ? t().stationMuted(station.name, since) : t().stationSilent(station.name, since);
  return item;
}

/** Tells the server which calls are now on screen; a call no screen confirms in time is alarmed. */
function confirmShown(calls) {
  const fresh = calls.map((call) => call.id).filter((id) => !confirmed.has(id));
  if (!client || fresh.length === 0 || connection !== "connected") return;
  fresh.forEach((id) => confirmed.add(id));
  client.displayed(fresh).catch(() => fresh.forEach((id) => confirmed.delete(id)));
}

/** A call's tile, made once; updateTile fills it. */
function createTile(id) {
  const tile = document.createElement("li");
  tile.dataset.callId = id;
  tile.innerHTML = `
    <div class="top"><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"></svg><span class="kind"></span><span class="age" aria-hidden="true"></span></div>
    <div class="where"></div>
    <div class="who"></div>
    <div class="page-failed" hidden></div>
    <div class="actions"></div>`;
  return tile;
}

/**
 * Shows a call's state on its tile, in place. `call` null: the call ended while the board was
 * held; the tile says so until it goes. `away`: a call of another ward, with its ward's name.
 */
function updateTile(tile, call, away) {
  if (!call) {
    tile.className = "call cleared";
    tile.querySelector(".who").textContent = t().cleared;
    tile.querySelector(".actions").replaceChildren();
    return;
  }
  tile.className = `call band-${call.band} status-${call.status}`;
  tile.dataset.status = call.status;
  tile.dataset.priority = call.priority;
  const icon = call.kind === "bath" ? "bath" : call.band;
  if (tile.dataset.icon !== icon) tile.querySelector(".icon").innerHTML = ICONS[icon];
  tile.dataset.icon = icon;
  tile.dataset.band = call.band;
  tile.querySelector(".kind").textContent = t().kinds[call.kind] ?? call.kind;
  // The room and bed a nurse walks to are the largest text; their words are small.
  const where = [away ? [t().ward, call.ward] : null, [t().room, call.room], [t().bed, call.bed]].filter(Boolean);
  tile.querySelector(".where").replaceChildren(...where.flatMap(([label, value], index) => {
    const word = document.createElement("span");
    word.className = "label";
    word.textContent = `${label} `;
    const name = document.createElement("b");
    name.textContent = value;
    return index < where.length - 1 ? [word, name, " · "] : [word, name];
  }));
  // What changes what a nurse does comes first: the line may be cut at the tile's edge.
  const who = whoLine(call);
  tile.querySelector(".who").textContent = who;
  tile.querySelector(".who").title = who;
  tile.querySelector(".age").textContent = age(call);
  // A page nobody's pager took: whoever it was for may not know of this call.
  const pageFailed = tile.querySelector(".page-failed");
  pageFailed.hidden = !call.pagesFailedTo;
  pageFailed.textContent = call.pagesFailedTo ? t().pageFailed(call.pagesFailedTo) : "";
  // Away, only the nurse a call was escalated to may act on it; a team member goes to the bed.
  const actionable = call.status === "open" && (!away || call.assignedStaffId === currentSession()?.staffId);
  const actions = tile.querySelector(".actions");
  if (actionable && actions.childElementCount === 0) {
    actions.append(
      button(t().acknowledge, "acknowledge", () => client.acknowledge(call.id)),
      button(t().reject, "reject", () => confirmReject(currentCall(call.id) ?? call)));
  } else if (!actionable) {
    actions.replaceChildren();
  }
}

/** The call as it stands now, on either list. */
function currentCall(id) {
  return board.calls.find((call) => call.id === id) ?? forYou.calls.find((call) => call.id === id);
}

/**
 * A reject sends the call on at once (another floor, the manager, administration): asked once,
 * saying where it goes; "Keep it" is the default. Resolves when the nurse has chosen.
 */
async function confirmReject(call) {
  const dialog = $("#reject-dialog");
  $("#reject-title").textContent = t().rejectTitle(t().kinds[call.kind] ?? call.kind, call.room, call.bed);
  $("#reject-where").textContent = t().rejectGoesTo(call.escalationLevel);
  dialog.returnValue = "";
  dialog.showModal();
  await new Promise((resolve) => dialog.addEventListener("close", resolve, { once: true }));
  if (dialog.returnValue === "reject") await client.reject(call.id);
}

function button(label, kind, action) {
  const element = document.createElement("button");
  element.type = "button";
  element.className = kind;
  element.textContent = label;
  element.addEventListener("click", async () => {
    if (connection !== "connected") return showMessage(t().notConnected);
    const tile = element.closest(".call");
    if (Date.now() - Number(tile?.dataset.movedAt ?? 0) < MOVED_GUARD_MS) return showMessage(t().listMoved);
    element.disabled = true;
    try {
      await action();
      showMessage("");
    } catch (error) {
      // What happened, in the board's language. Never SignalR's text.
      const why = refusalText(error);
      showMessage(why ? t().refused(label, why) : t().notSent(label));
    } finally {
      // Usually the call's next event has redrawn the row by now; a reject kept, or a refusal, has not.
      element.disabled = false;
    }
  });
  return element;
}

/**
 * A server refusal in the board's language when the board knows its code, else the server's own
 * sentence; null when the error is not a refusal (a dropped link).
 */
function refusalText(error) {
  const refused = refusal(error);
  return refused && (t().refusals[refused.code] ?? refused.sentence);
}

/** What a refused HTTP request's problem details say, in the board's language when its code is known. */
async function problemText(response) {
  const problem = await response.json().catch(() => ({}));
  return t().refusals[problem.code] ?? problem.detail ?? null;
}

function showMessage(text) {
  $("#message").textContent = text;
}

async function signIn(event) {
  event.preventDefault();
  const response = await fetch("/api/sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: $("#username").value, password: $("#password").value }),
  });
  if (!response.ok) {
    $("#sign-in-message").textContent = (await problemText(response)) ?? t().signInFailed;
    return;
  }
  const session = await response.json();
  const ward = Number($("#ward").value) || session.wardId;
  if (!ward) {
    // An administrator or manager has no ward of their own: the form says so instead of resetting.
    $("#sign-in-message").textContent = t().wardNeeded;
    return;
  }
  // The station key belongs to the screen, not to the nurse: it stays for the next sign-in.
  const stationKey = $("#station-key").value.trim();
  if (stationKey) localStorage.setItem("dispatch.stationKey", stationKey);
  else localStorage.removeItem("dispatch.stationKey");
  sessionStorage.setItem("dispatch.session", JSON.stringify({ ...session, ward }));
  await sound.enable().catch(() => {});
  await start();
}

function currentSession() {
  return JSON.parse(sessionStorage.getItem("dispatch.session") ?? "null");
}

async function toggleDuty() {
  const session = currentSession();
  const onDuty = !session.onDuty;
  const response = await fetch("/api/staff/me/duty", {
    method: "PUT",
    headers: { Authorization: `Bearer ${session.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ onDuty }),
  }).catch(() => null);
  if (!response?.ok) return showMessage(`${t().dutyFailed} ${response ? ((await problemText(response)) ?? response.status) : t().disconnected}`);
  sessionStorage.setItem("dispatch.session", JSON.stringify({ ...session, onDuty }));
  renderStaffControls();
}

/** The signed-in staff member's own password; the server ends their other sessions. */
async function changePassword(event) {
  event.preventDefault();
  if ($("#new-password").value !== $("#repeat-password").value) return ($("#password-message").textContent = t().passwordsDiffer);
  const response = await fetch("/api/staff/me/password", {
    method: "PUT",
    headers: { Authorization: `Bearer ${currentSession().token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ currentPassword: $("#current-password").value, newPassword: $("#new-password").value }),
  }).catch(() => null);
  // What was wrong (a wrong current password, a short new one), in the board's language when known.
  const problem = response && !response.ok ? await problemText(response) : null;
  $("#password-message").textContent = response?.ok ? t().passwordChanged : (problem ?? t().disconnected);
  if (response?.ok) $("#password-form").reset();
}

function openPasswordDialog() {
  $("#password-form").reset();
  $("#password-message").textContent = "";
  $("#password-dialog").showModal();
}

async function start() {
  const session = currentSession();
  if (!session?.ward) return showSignIn();
  $("#sign-in").hidden = true;
  $("#board").hidden = false;
  renderConnection();
  $("#sign-out").hidden = false;
  renderStaffControls();
  $("#ward-id").textContent = session.ward;
  client = new StationClient(location.origin, session.token, { maxReconnectDelayMs: 10_000 });
  client.onState((state) => {
    if (typeof state !== "string") return; // a node moving its stations: handled quietly
    if (state === "signed_out") return showSignIn(t().sessionEnded);
    if (state === "connected" && connection !== "connected" && connection !== "disconnected") reconnectedAt = new Date();
    connection = state === "stopped" ? "disconnected" : state;
    if (connection === "connected") {
      offlineSince = null;
      showMessage(""); // an error of the outage is over
    } else {
      offlineSince ??= Date.now();
    }
    renderConnection();
    renderOffline();
    if (connection === "connected") {
      confirmShown(board.calls);
      loadForYou(); // what reached her personally while the link was down
    }
  });
  client.onEvent((event) => {
    announce(event, board.apply(event));
    if (event.type === "station_silent") sound.play("trouble");
    render();
  });
  const applyForYou = (event) => {
    if (event.call?.wardId === session.ward) return; // on this board already
    announce(event, forYou.apply(event));
    render();
  };
  client.onTeamCall(applyForYou);
  client.onEscalatedToMe(applyForYou);
  client.onCallNotDisplayed((alert) => showMessage(alert.message));
  client.onWardUnwatched((alert) => {
    showMessage(alert.message);
    sound.play("emergency");
  });
  client.onError((error) => console.warn(error));
  try {
    await client.start();
    board.load(await client.subscribe(session.ward));
    await loadForYou();
    render();
  } catch (error) {
    // The refusal in the board's language ("… not your ward"), never SignalR's wrapping of it.
    const refused = refusalText(error);
    return refused ? showSignIn(refused) : startAgainLater();
  }
  await identifyStation();
  renderSoundControls();
}

/**
 * No node answered the board's start (the server is down, or its node died just then): not a
 * failed sign-in. The board stays, says it is not receiving calls, and starts again shortly; a
 * session that ended meanwhile goes to sign-in with the reason.
 */
async function startAgainLater() {
  const token = currentSession()?.token;
  const closing = client;
  client = null;
  await closing?.stop().catch(() => {});
  connection = "disconnected";
  offlineSince ??= Date.now();
  renderConnection();
  renderOffline();
  await new Promise((resolve) => setTimeout(resolve, START_AGAIN_MS * (1 + Math.random())));
  const session = currentSession();
  if (!session || session.token !== token) return; // signed out (and perhaps in again, which started the board) meanwhile
  const current = await fetch("/api/sessions/current", { headers: { Authorization: `Bearer ${session.token}` } }).catch(() => null);
  if (current?.status === 401) return showSignIn(t().sessionEnded);
  // Trying again; once connected, the banner says when the link came back, as after any drop.
  connection = "reconnecting";
  return start();
}

/** A new call, one that climbed, or a bed pressing again for its call: the screen sounds it, and says it to a screen reader. */
function announce(event, before) {
  const call = event.call;
  if (event.type === "page_failed" && call) {
    sound.play(toneOf(call));
    $("#announcer").textContent = t().pageFailedAt(call.pagesFailedTo, call.room, call.bed);
    return;
  }
  const announced = call && (event.type === "call_repeated" || (call.status === "open" && (!before || call.priority > before.priority)));
  if (!announced) return;
  sound.play(toneOf(call));
  $("#announcer").textContent = t().newCall(t().kinds[call.kind] ?? call.kind, call.room, call.bed);
}

/** The nurse's calls of other wards, as the server lists them (GET /api/staff/me/calls). */
async function loadForYou() {
  const session = currentSession();
  if (!session) return;
  const response = await fetch("/api/staff/me/calls", { headers: { Authorization: `Bearer ${session.token}` } }).catch(() => null);
  if (!response?.ok) return;
  const calls = await response.json();
  forYou.load({ calls: calls.filter((call) => call.wardId !== session.ward) });
  render();
}

/** A fixed station screen says which station it is, so that its ward is told if it goes dark. */
async function identifyStation() {
  const stationKey = localStorage.getItem("dispatch.stationKey");
  if (!stationKey) return;
  try {
    const station = await client.identifyStation(stationKey);
    $("#station-name").textContent = station.name;
    $("#station").hidden = false;
    // A station screen that cannot sound is listed to its ward and the ops page until it can.
    await client.reportSound(sound.ready);
  } catch (error) {
    showMessage(`${t().stationRefused} ${refusalText(error) ?? t().notSent(t().station)}`);
  }
}

async function showSignIn(message = "") {
  sessionStorage.removeItem("dispatch.session");
  const closing = client;
  client = null;
  await closing?.stop().catch(() => {});
  board.load({ calls: [] });
  forYou.load({ calls: [] });
  connection = "disconnected";
  reconnectedAt = null;
  offlineSince = null;
  $("#board").hidden = true;
  $("#station").hidden = true;
  $("#sign-out").hidden = true;
  $("#sign-in").hidden = false;
  $("#station-key").value = localStorage.getItem("dispatch.stationKey") ?? "";
  $("#sign-in-message").textContent = message;
  applyLanguage();
  renderOffline();
}

async function signOut() {
  const session = currentSession();
  if (session) await fetch("/api/sessions/current", { method: "DELETE", headers: { Authorization: `Bearer ${session.token}` } }).catch(() => {});
  await showSignIn();
}

$("#sign-in").addEventListener("submit", signIn);
$("#sign-out").addEventListener("click", signOut);
$("#duty").addEventListener("click", toggleDuty);
$("#change-password").addEventListener("click", openPasswordDialog);
$("#password-form").addEventListener("submit", changePassword);
$("#close-password").addEventListener("click", () => $("#password-dialog").close());
$("#language").replaceChildren(...Object.entries(LANGUAGES).map(([code, { name }]) => new Option(name, code)));
$("#language").addEventListener("change", (event) => {
  language = event.target.value;
  localStorage.setItem("dispatch.language", language);
  applyLanguage();
});
$("#enable-sound").addEventListener("click", async () => {
  await sound.enable();
  renderSoundControls();
  if (client && $("#station").hidden === false) await client.reportSound(sound.ready).catch(() => {});
});
$("#mute").addEventListener("click", () => {
  if (sound.silenced) sound.unsilence();
  else sound.silence();
  renderSoundControls();
});

// A finger on the board holds the tiles where they are (see board-layout.js); lifting it lets
// them take the urgency order once the hold ends.
$("#board").addEventListener("pointerdown", () => {
  pointerDown = true;
});
for (const end of ["pointerup", "pointercancel"]) {
  window.addEventListener(end, () => {
    if (!pointerDown) return;
    pointerDown = false;
    heldUntil = Date.now() + HOLD_AFTER_MS;
    setTimeout(render, HOLD_AFTER_MS + 50);
  });
}
window.addEventListener("scroll", renderBelow, { passive: true });
// Anything above the tiles that grows or shrinks (the header wrapping, a notice) moves them all.
new ResizeObserver(() => renderBelow()).observe(document.body);
$("#more-below").addEventListener("click", () => {
  const next = [...document.querySelectorAll("#calls .call")].find((tile) => tile.getBoundingClientRect().bottom > window.innerHeight - $(".board-foot").offsetHeight);
  next?.scrollIntoView({ block: "start", behavior: "smooth" });
});

// The age timers tick every second; a call nobody has acknowledged sounds again every 10 s.
setInterval(() => {
  if ($("#mute").getAttribute("aria-pressed") !== String(sound.silenced)) renderSoundControls(); // the silence ended
  renderOffline();
  if (offlineSince !== null) return; // ages stop: nothing is arriving
  for (const item of document.querySelectorAll("#calls .call, #for-you-calls .call")) {
    const call = [...board.calls, ...forYou.calls].find((c) => String(c.id) === item.dataset.callId);
    if (!call) continue;
    item.querySelector(".age").textContent = age(call);
    item.querySelector(".who").textContent = whoLine(call); // the countdown to the next level
  }
}, 1000);
setInterval(() => {
  if (!$("#offline").hidden) return sound.play("offline");
  const [mostUrgent] = [...forYou.waiting, ...board.waiting].sort(byUrgency);
  if (mostUrgent) sound.play(toneOf(mostUrgent));
}, REPEAT_MS);

applyLanguage();
start();
