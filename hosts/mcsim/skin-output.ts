// SPDX-License-Identifier: MIT
// A digital output drawn by the mcsim skin (the chime, the status LED): each write sends the level to the
// skin. Off at creation, as the board's outputs are driven off before anything else.
import type { OutputPort } from "../../modules/ports.js";
import type { SkinLink } from "./skin-link.js";

export interface SkinOutputOptions {
  link: SkinLink;
  /** Which of the skin's outputs this is. */
  name: "chime" | "led";
}

export interface SkinOutput extends OutputPort {
  /** The level last written. */
  readonly level: 0 | 1;
}

/** Creates the output and switches it off. */
export function createSkinOutput(options: SkinOutputOptions): SkinOutput {
  const { link, name } = options;
  let level: 0 | 1 = 0;
  const send = () => link.post(name === "chime" ? { chime: level } : { led: level });
  send();
  return {
    write(next) {
      level = next;
      send();
    },
    get level() {
      return level;
    },
  };
}
