// SPDX-License-Identifier: MIT
// Fake of ECMA-419 `embedded:io/digital` as the SDK implements it on ESP32 (modules/io/digital/
// digital.js over modules/io/digital/esp32/digitalbank.c), with a simulated wire per GPIO.
// As in the SDK: `pin` is required ("invalid"); a claimed pin throws "in use"; modes are checked
// ("invalid mode"); `read()` of an output throws "can't read output", `write()` of an input "can't
// write input"; an edge in the `edge` mask sets the pin's `triggered` bit from the "ISR" and posts one
// message only when no delivery is pending, so edges that arrive before the JS callback runs are
// coalesced into one `onReadable` call (this = the instance) that reads the level as it is then;
// a delivery after `close()` is dropped. Pull-ups set the idle level of an undriven wire.
import { post } from "./event-loop.js";

interface Wire {
  /** Level driven from outside (a contact to GND gives 0), or undefined when open. */
  driven: 0 | 1 | undefined;
  /** Level of the input's own pull resistor when the wire is open. */
  pull: 0 | 1;
  owner: Digital | undefined;
  /** Levels written by an output. */
  writes: (0 | 1)[];
}

const wires = new Map<number, Wire>();

function wire(pin: number): Wire {
  let w = wires.get(pin);
  if (!w) {
    w = { driven: undefined, pull: 0, owner: undefined, writes: [] };
    wires.set(pin, w);
  }
  return w;
}

function levelOf(w: Wire): 0 | 1 {
  return w.driven ?? w.pull;
}

/** Drives `pin` from outside (e.g. the button contact) and raises the edge, as the ISR sees it. */
export function drivePin(pin: number, level: 0 | 1 | undefined): void {
  const w = wire(pin);
  const before = levelOf(w);
  w.driven = level;
  const after = levelOf(w);
  if (before !== after) w.owner?.edgeSeen(after);
}

/** The level on the wire now. */
export function pinLevel(pin: number): 0 | 1 {
  return levelOf(wire(pin));
}

/** Every level an output wrote to `pin`, in order. */
export function pinWrites(pin: number): (0 | 1)[] {
  return wire(pin).writes;
}

/** True while an instance holds `pin`. */
export function pinClaimed(pin: number): boolean {
  return wire(pin).owner !== undefined;
}

export function resetPins(): void {
  wires.clear();
}

interface Options {
  pin: number | { pin: number; port?: unknown };
  mode: unknown;
  edge?: number;
  onReadable?: (this: Digital, triggered: number) => void;
  format?: "number";
}

const INPUT = 0;
const INPUT_PULL_UP = 1;
const INPUT_PULL_DOWN = 2;
const INPUT_PULL_UP_DOWN = 3;
const OUTPUT = 8;
const OUTPUT_OPEN_DRAIN = 9;

class Digital {
  static readonly Input = INPUT;
  static readonly InputPullUp = INPUT_PULL_UP;
  static readonly InputPullDown = INPUT_PULL_DOWN;
  static readonly InputPullUpDown = INPUT_PULL_UP_DOWN;
  static readonly Output = OUTPUT;
  static readonly OutputOpenDrain = OUTPUT_OPEN_DRAIN;
  static readonly Rising = 1;
  static readonly Falling = 2;

  #pin: number;
  #input: boolean;
  #edge: number;
  #onReadable: ((this: Digital, triggered: number) => void) | undefined;
  #triggered = 0;
  #open = true;

  constructor(options: Options) {
    const raw = options.pin as Options["pin"] | undefined;
    if (raw === undefined) throw new Error("invalid");
    const pin = typeof raw === "number" ? raw : raw.pin;
    if (!Number.isInteger(pin) || pin < 0 || pin > 39) throw new Error("invalid pin");
    const mode = options.mode as number;
    const input = mode >= INPUT && mode <= INPUT_PULL_UP_DOWN;
    if (!input && mode !== OUTPUT && mode !== OUTPUT_OPEN_DRAIN) throw new RangeError("invalid mode");
    const w = wire(pin);
    if (w.owner) throw new Error("in use");
    this.#pin = pin;
    this.#input = input;
    this.#edge = options.edge ?? 0;
    this.#onReadable = options.onReadable;
    if (this.#onReadable && !(this.#edge & 3)) throw new RangeError("invalid edges");
    if (input) w.pull = mode === INPUT_PULL_UP ? 1 : mode === INPUT_PULL_DOWN ? 0 : w.pull;
    w.owner = this;
  }

  /** Called by drivePin: the ISR (digitalISR) for this pin. */
  edgeSeen(level: 0 | 1): void {
    if (!this.#onReadable) return;
    const wanted = level ? this.#edge & Digital.Rising : this.#edge & Digital.Falling;
    if (!wanted) return;
    const pending = this.#triggered;
    this.#triggered |= 1 << (this.#pin & 31);
    if (pending) return;
    post(() => {
      if (!this.#open) return;
      const triggered = this.#triggered;
      this.#triggered = 0;
      this.#onReadable?.call(this, triggered);
    });
  }

  read(): 0 | 1 {
    if (!this.#open) throw new Error("closed");
    if (!this.#input) throw new Error("can't read output");
    return levelOf(wire(this.#pin));
  }

  write(value: 0 | 1): void {
    if (!this.#open) throw new Error("closed");
    if (this.#input) throw new Error("can't write input");
    const level = Number(value) ? 1 : 0;
    const w = wire(this.#pin);
    w.writes.push(level);
    w.driven = level;
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    const w = wire(this.#pin);
    if (w.owner === this) w.owner = undefined;
  }

  get format(): "number" {
    return "number";
  }
  set format(value: "number") {
    if (value !== "number") throw new RangeError("invalid format");
  }
}

export default Digital;
