// The bedside page: what a patient's tablet or a bed panel shows. Two large buttons (call a nurse,
// cancel my call) and a status line in the hospital's languages. It is set up once by a link that
// carries the bed and its device key in the fragment (bedside.html#bed=ID&key=KEY), kept in this
// browser. The staff panel below is the bed device's every button, for set-up and demonstrations;
// its answers are shown as the server gave them.
import { LANGUAGES, strings } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);
const SETUP = "dispatch.bedside";
// The call this panel raised last, so that "Cancel my call" still works after a reload.
const LAST_CALL = "dispatch.bedside.call";
let language = localStorage.getItem("dispatch.language") ?? "en";

function t() {
  return strings(language);
}

/** The bed and key from the set-up link, kept; the link is then taken off the address bar. */
function loadSetup() {
  const link = new URLSearchParams(location.hash.slice(1));
  if (link.get("bed") && link.get("key")) {
    localStorage.setItem(SETUP, JSON.stringify({ bed: Number(link.get("bed")), key: link.get("key") }));
    history.replaceState(null, "", location.pathname);
  }
  const setup = JSON.parse(localStorage.getItem(SETUP) ?? "null");
  if (setup) {
    $("#bed").value = setup.bed;
    $("#device-key").value = setup.key;
  }
  $("#call").value = localStorage.getItem(LAST_CALL) ?? "";
}

function applyLanguage() {
  document.documentElement.lang = language;
  document.documentElement.dir = LANGUAGES[language].dir;
  document.title = t().bedsideTitle;
  for (const element of document.querySelectorAll("[data-text]")) element.textContent = t()[element.dataset.text];
  $("#language").value = language;
  const bed = Number($("#bed").value);
  const ready = bed > 0 && $("#device-key").value.trim() !== "";
  $("#where").textContent = ready ? t().bedLine(bed) : t().notSetUp;
  $("#call-nurse").disabled = !ready;
  $("#cancel-call").disabled = !ready;
}

async function send(path, body, extraHeaders = {}) {
  const headers = { "Content-Type": "application/json", ...extraHeaders };
  const key = $("#device-key").value.trim();
  if (key) headers["X-Device-Key"] = key;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) }).catch(() => null);
  const answer = await response?.json().catch(() => ({}));
  $("#result").textContent = response ? `${response.status} ${JSON.stringify(answer, null, 2)}` : "No answer: the server could not be reached.";
  return { response, answer };
}

/** A key per press (crypto.randomUUID needs a secure context, which a bed panel on the ward's network may not be). */
function pressKey() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function nonce() {
  return $("#nonce").value.trim() || undefined;
}

// A press whose answer was lost (no answer; nginx's 502/504: the node stopped mid-request; or
// maybe_saved: the node's link to the database broke during the commit) is sent once more with
// the same Idempotency-Key: the server returns the call it raised, if it did.
function answerLost(response, answer) {
  return !response || response.status === 502 || response.status === 504 || answer?.code === "maybe_saved";
}

async function raise(kind) {
  const body = { bedId: Number($("#bed").value), kind, nonce: nonce() };
  const headers = { "Idempotency-Key": pressKey() };
  let { response, answer } = await send("/api/calls", body, headers);
  if (answerLost(response, answer)) ({ response, answer } = await send("/api/calls", body, headers));
  if (response?.ok) {
    $("#call").value = answer.id;
    localStorage.setItem(LAST_CALL, String(answer.id));
  }
  return { response, answer };
}

$("#call-nurse").addEventListener("click", async () => {
  const { response, answer } = await raise("normal");
  const time = new Date().toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
  $("#status").textContent = response?.ok ? t().callSent(time) : t().callNotSent(response ? answer?.detail : null);
});
$("#cancel-call").addEventListener("click", async () => {
  if (!Number($("#call").value)) return ($("#status").textContent = t().noCallToCancel);
  const { response, answer } = await send(`/api/calls/${Number($("#call").value)}/cancel`, { nonce: nonce() });
  if (response?.ok) {
    localStorage.removeItem(LAST_CALL);
    $("#call").value = "";
  }
  $("#status").textContent = response?.ok ? t().callCleared : t().callNotSent(response ? answer?.detail : null);
});
$("#raise").addEventListener("click", () => raise($("#kind").value));
$("#cancel").addEventListener("click", () => send(`/api/calls/${Number($("#call").value)}/cancel`, { nonce: nonce() }));
$("#heartbeat").addEventListener("click", async () => {
  const response = await fetch("/api/devices/heartbeat", { method: "POST", headers: { "X-Device-Key": $("#device-key").value.trim() } });
  $("#result").textContent = `${response.status} ${response.ok ? "heartbeat recorded" : await response.text()}`;
});
$("#presence").addEventListener("click", () => send(`/api/beds/${Number($("#bed").value)}/presence`, { staffId: Number($("#staff").value) }));
// Staff may also set the panel up by hand, in the staff panel: kept like a link's.
for (const field of ["#bed", "#device-key"]) {
  $(field).addEventListener("change", () => {
    localStorage.setItem(SETUP, JSON.stringify({ bed: Number($("#bed").value), key: $("#device-key").value.trim() }));
    applyLanguage();
  });
}
$("#language").replaceChildren(...Object.entries(LANGUAGES).map(([code, { name }]) => new Option(name, code)));
$("#language").addEventListener("change", (event) => {
  language = event.target.value;
  localStorage.setItem("dispatch.language", language);
  applyLanguage();
});

// A set-up link opened on a panel already showing this page changes only the fragment.
window.addEventListener("hashchange", () => {
  loadSetup();
  applyLanguage();
});
loadSetup();
applyLanguage();
