// SPDX-License-Identifier: MIT
// The `TLSSocket` export of sockets.ts as a module of its own, for the bundler alias (see sockets.ts for the SDK file it follows).
export { TLSSocket as default } from "./sockets.js";
