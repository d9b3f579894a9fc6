// SPDX-License-Identifier: MIT
// Starts an opening thread (open-thread.ts) through tsx's ESM loader: a worker thread does not inherit the
// loader that the bridge's own process registered (cli/doorbell-bridge.js does the same for the main thread).
import { register } from "tsx/esm/api";

register();
await import("./open-thread.ts");
