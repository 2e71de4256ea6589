// The bedside simulator: what a bed device (device key) or a patient tablet (one-time nonce)
// sends. Every answer, including refusals, is shown as the server gave it.
const $ = (selector) => document.querySelector(selector);

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

// A press whose answer was lost (no answer, or nginx's 502/504: the node stopped mid-request) is
// sent once more with the same Idempotency-Key: the server returns the call it raised, if it did.
$("#raise").addEventListener("click", async () => {
  const body = { bedId: Number($("#bed").value), kind: $("#kind").value, nonce: nonce() };
  const headers = { "Idempotency-Key": pressKey() };
  let { response, answer } = await send("/api/calls", body, headers);
  if (!response || response.status === 502 || response.status === 504) ({ response, answer } = await send("/api/calls", body, headers));
  if (response?.ok) $("#call").value = answer.id;
});
$("#cancel").addEventListener("click", () => send(`/api/calls/${Number($("#call").value)}/cancel`, { nonce: nonce() }));
$("#heartbeat").addEventListener("click", async () => {
  const response = await fetch("/api/devices/heartbeat", { method: "POST", headers: { "X-Device-Key": $("#device-key").value.trim() } });
  $("#result").textContent = `${response.status} ${response.ok ? "heartbeat recorded" : await response.text()}`;
});
$("#presence").addEventListener("click", () => send(`/api/beds/${Number($("#bed").value)}/presence`, { staffId: Number($("#staff").value) }));
