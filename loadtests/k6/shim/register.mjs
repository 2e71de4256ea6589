// Maps k6's built-in modules to this shim's, so the k6 scripts run unchanged under Node.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
