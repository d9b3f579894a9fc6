// SPDX-License-Identifier: MIT
// The `TCP` export of sockets.ts as a module of its own, for the bundler alias (see sockets.ts for the SDK file it follows).
export { TCP as default } from "./sockets.js";
