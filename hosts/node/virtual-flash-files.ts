// SPDX-License-Identifier: MIT
// Keeps a virtual flash (virtual-flash.ts) in a folder: state.json, written by rename so a power cut leaves the
// old or the new state, and slot-a.bin and slot-b.bin.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FlashState, FlashStore, SlotName } from "./virtual-flash.js";

export function flashFolder(dir: string): FlashStore {
  mkdirSync(dir, { recursive: true });
  return {
    load() {
      if (!existsSync(join(dir, "state.json"))) return undefined;
      const state = JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as FlashState;
      const read = (s: SlotName) => {
        const file = join(dir, `slot-${s}.bin`);
        return existsSync(file) ? new Uint8Array(readFileSync(file)) : new Uint8Array(0);
      };
      return { state, images: { a: read("a"), b: read("b") } };
    },
    save(state, images, slots) {
      for (const s of slots) writeFileSync(join(dir, `slot-${s}.bin`), images[s]);
      writeFileSync(join(dir, "state.json.tmp"), JSON.stringify(state));
      renameSync(join(dir, "state.json.tmp"), join(dir, "state.json"));
    },
  };
}
