// SPDX-License-Identifier: MIT
// The `UDP` export of sockets.ts as a module of its own, for the bundler alias (see sockets.ts for the SDK file it follows).
export { UDP as default } from "./sockets.js";
