const modules = {
  k6: "./k6.mjs",
  "k6/ws": "./k6-ws.mjs",
  "k6/http": "./k6-http.mjs",
  "k6/metrics": "./k6-metrics.mjs",
};

export async function resolve(specifier, context, next) {
  return specifier in modules
    ? { url: new URL(modules[specifier], import.meta.url).href, shortCircuit: true }
    : next(specifier, context);
}
