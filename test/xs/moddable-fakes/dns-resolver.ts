// SPDX-License-Identifier: MIT
// The `Resolver` export of sockets.ts as a module of its own, for the bundler alias (see sockets.ts for the SDK file it follows).
export { Resolver as default } from "./sockets.js";
