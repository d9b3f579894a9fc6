// SPDX-License-Identifier: MIT
// The power rail shared by the flash fakes (preference.ts, file.ts): a test arms a cut at the N-th
// flash operation; that operation stops half-way, as a reset does, and every later one throws until
// `powerOn()` (the next boot). The flash contents survive; the RAM of the old instances does not.

export class PowerLoss extends Error {
  constructor() {
    super("power cut (fake flash)");
  }
}

let operations = 0;
let cutAt = Number.POSITIVE_INFINITY;
let off = false;

/** Cuts the power during the `n`-th flash operation from now (1 = the next one). */
export function cutPowerAt(n: number): void {
  cutAt = operations + n;
}

/** Counts one flash operation: false to do it, true when this is the one the cut interrupts. */
export function flashOperation(): boolean {
  if (off) throw new PowerLoss();
  operations++;
  if (operations !== cutAt) return false;
  off = true;
  return true;
}

/** Throws when the power is off (a later step of an operation that was cut). */
export function checkPower(): void {
  if (off) throw new PowerLoss();
}

/** Power back on; no further cut is armed. */
export function powerOn(): void {
  off = false;
  cutAt = Number.POSITIVE_INFINITY;
}

export function flashOperations(): number {
  return operations;
}

export function resetPower(): void {
  operations = 0;
  powerOn();
}
