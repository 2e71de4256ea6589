// k6/ws (the callback API) over the "ws" package. k6's connect blocks until the socket closes and
// returns the response; this returns a promise of it, which the scripts await.
import WebSocket from "ws";

function connect(url, params, callback) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { headers: params?.headers ?? {} });
    const handlers = { open: [], message: [], close: [], error: [] };
    const timers = new Set();
    let status = 0;

    socket.on("upgrade", (response) => { status = response.statusCode; });
    socket.on("unexpected-response", (_request, response) => {
      status = response.statusCode;
      socket.terminate();
    });
    socket.on("open", () => handlers.open.forEach((fn) => fn()));
    socket.on("message", (data) => handlers.message.forEach((fn) => fn(data.toString())));
    socket.on("error", (error) => handlers.error.forEach((fn) => fn({ error: () => String(error) })));
    socket.on("close", (code) => {
      timers.forEach((timer) => clearTimeout(timer));
      handlers.close.forEach((fn) => fn(code));
      resolve({ status, url });
    });

    callback({
      on: (event, fn) => handlers[event].push(fn),
      send: (text) => socket.send(text),
      close: () => socket.close(),
      setTimeout: (fn, ms) => timers.add(setTimeout(fn, ms)),
      setInterval: (fn, ms) => timers.add(setInterval(fn, ms)),
    });
  });
}

export default { connect };
