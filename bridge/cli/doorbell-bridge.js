#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The `doorbell-bridge` command: loads the TypeScript bridge through tsx's ESM loader.
import { register } from "tsx/esm/api";

register();
const { main } = await import("./bridge-main.ts");
main();
