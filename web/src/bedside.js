// The bedside simulator: what a bed device (device key) or a patient tablet (one-time nonce)
// sends. Every answer, including refusals, is shown as the server gave it.
const $ = (selector) => document.querySelector(selector);

async function send(path, body) {
  const headers = { "Content-Type": "application/json" };
  const key = $("#device-key").value.trim();
  if (key) headers["X-Device-Key"] = key;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  $("#result").textContent = `${response.status} ${JSON.stringify(answer, null, 2)}`;
  return response.ok ? answer : null;
}

function nonce() {
  return $("#nonce").value.trim() || undefined;
}

$("#raise").addEventListener("click", async () => {
  const call = await send("/api/calls", { bedId: Number($("#bed").value), kind: $("#kind").value, nonce: nonce() });
  if (call) $("#call").value = call.id;
});
$("#cancel").addEventListener("click", () => send(`/api/calls/${Number($("#call").value)}/cancel`, { nonce: nonce() }));
$("#heartbeat").addEventListener("click", async () => {
  const response = await fetch("/api/devices/heartbeat", { method: "POST", headers: { "X-Device-Key": $("#device-key").value.trim() } });
  $("#result").textContent = `${response.status} ${response.ok ? "heartbeat recorded" : await response.text()}`;
});
$("#presence").addEventListener("click", () => send(`/api/beds/${Number($("#bed").value)}/presence`, { staffId: Number($("#staff").value) }));
