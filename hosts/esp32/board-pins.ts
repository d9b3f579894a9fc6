// SPDX-License-Identifier: MIT
// Reads the board's named GPIOs from `embedded:provider/builtin` (the board directory's
// host/provider.js), so pin numbers are written down once, next to the board's wiring notes.
import device from "embedded:provider/builtin";

/** The named GPIO `name` from the board provider; throws naming the pin and the file to fix. */
export function boardPin(name: string): number {
  const pin = device.pin[name];
  if (typeof pin !== "number") {
    throw new Error(`board: no GPIO named "${name}" in host/provider.js of the board directory; add it to device.pin`);
  }
  return pin;
}
