// SPDX-License-Identifier: MIT
// A digital output port (chime relay driver, flash LED) over ECMA-419 `embedded:io/digital`.
// The pin is driven to its off level as soon as the output is created.
import Digital from "embedded:io/digital";
import type { OutputPort } from "../../modules/ports.js";

export interface Esp32OutputOptions {
  /** GPIO to drive. */
  pin: number;
  /** True when the load is on at 0 V (e.g. an active-low relay module). Default false: 1 = 3.3 V = on. */
  activeLow?: boolean;
}

export interface Esp32Output extends OutputPort {
  /** Releases the GPIO; it floats afterwards, so a pull-down must hold the load off. */
  close(): void;
}

/** Creates the output and switches it off. Call at run time only: it claims the GPIO. */
export function createEsp32Output(options: Esp32OutputOptions): Esp32Output {
  const activeLow = options.activeLow ?? false;
  const physical = (level: 0 | 1): 0 | 1 => (activeLow ? (level ? 0 : 1) : level);
  const pin = new Digital({ pin: options.pin, mode: Digital.Output });
  pin.write(physical(0));
  return {
    write(level) {
      pin.write(physical(level));
    },
    close() {
      pin.close();
    },
  };
}
