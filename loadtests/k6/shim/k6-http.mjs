// k6/http over Node's fetch. k6's calls return the response; these return a promise of it, so
// the scripts await them (awaiting a plain value is harmless under k6).
async function request(method, url, body, params = {}) {
  try {
    const response = await fetch(url, { method, body: body ?? undefined, headers: params.headers ?? {} });
    const text = await response.text();
    return { status: response.status, body: text, headers: Object.fromEntries(response.headers), json: () => JSON.parse(text) };
  } catch (error) {
    return { status: 0, body: "", error: String(error), json: () => undefined };
  }
}

export default {
  get: (url, params) => request("GET", url, null, params),
  post: (url, body, params) => request("POST", url, body, params),
  put: (url, body, params) => request("PUT", url, body, params),
  del: (url, body, params) => request("DELETE", url, body, params),
  request,
};
