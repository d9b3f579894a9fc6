// SPDX-License-Identifier: MIT
// A virtual flash with two application slots and ESP-IDF's app-rollback rule, for the simulator and tests:
// an activated image boots once as "pending"; booting again before it is marked valid aborts it and returns to
// the other slot. In memory, or kept by a `FlashStore` (virtual-flash-files.ts: a folder) so it survives power cuts.
// No Node module here: the unit tests run it inside XS too.
import type { FirmwareSlotsPort } from "../../modules/ports.js";

export type SlotName = "a" | "b";
/** ESP-IDF's esp_ota_img_states_t, by name: new (activated, not yet booted), pending (on trial), valid, aborted. */
export type SlotState = "empty" | "new" | "pending" | "valid" | "aborted";

export interface FlashState {
  boot: SlotName;
  running: SlotName;
  states: Record<SlotName, SlotState>;
  sizes: Record<SlotName, number>;
}

export interface BootResult {
  slot: SlotName;
  image: Uint8Array;
  state: SlotState;
  /** Set when the bootloader rolled back this boot: the slot it gave up. */
  rolledBackFrom?: SlotName;
}

export interface VirtualFlash {
  /** The port the firmware receives. */
  readonly port: FirmwareSlotsPort;
  /** Writes the factory image into slot a, valid, booting next (what a maker's serial flash does). */
  flashFactory(image: Uint8Array): void;
  /** The bootloader: applies the rollback rule and returns what boots. Throws when no slot holds an image. */
  boot(): BootResult;
  /** A copy of the state, for tests and the page. */
  readonly state: Readonly<FlashState>;
  /** The bytes of one slot (its written size). */
  slot(name: SlotName): Uint8Array;
}

const other = (s: SlotName): SlotName => (s === "a" ? "b" : "a");

/** The flash's contents and how to persist them, shared by the port and the bootloader. */
interface Media {
  images: Record<SlotName, Uint8Array>;
  state: FlashState;
  /** The slot being written, between `begin` and `activate` or `abort`. */
  target?: SlotName;
  save(slots?: readonly SlotName[]): void;
}

/** Where a flash is kept between runs: its state and the slots' bytes. */
export interface FlashStore {
  load(): { state: FlashState; images: Record<SlotName, Uint8Array> } | undefined;
  /** Saves the state, and the bytes of `slots`. */
  save(state: FlashState, images: Record<SlotName, Uint8Array>, slots: readonly SlotName[]): void;
}

function openMedia(store: FlashStore | undefined): Media {
  const loaded = store?.load();
  const media: Media = {
    images: loaded?.images ?? { a: new Uint8Array(0), b: new Uint8Array(0) },
    state: loaded?.state ?? { boot: "a", running: "a", states: { a: "empty", b: "empty" }, sizes: { a: 0, b: 0 } },
    save(slots = []) {
      store?.save(media.state, media.images, slots);
    },
  };
  return media;
}

function slotsPort(m: Media, slotBytes: number, onRestart?: (reason: string) => void): FirmwareSlotsPort {
  return {
    slotBytes,
    begin(sizeBytes, resume) {
      if (sizeBytes > slotBytes)
        throw new RangeError(`virtual flash: ${sizeBytes} bytes exceed the slot's ${slotBytes}`);
      const target = other(m.state.running);
      m.target = target;
      const keep = resume && m.images[target].length === sizeBytes && m.state.states[target] === "empty";
      if (!keep) m.images[target] = new Uint8Array(sizeBytes);
      m.state.states[target] = "empty";
      m.state.sizes[target] = sizeBytes;
      m.save(keep ? [] : [target]);
    },
    write(offset, bytes) {
      if (!m.target) throw new Error("virtual flash: write before begin");
      if (offset + bytes.length > m.images[m.target].length)
        throw new RangeError("virtual flash: write past the image");
      m.images[m.target].set(bytes, offset);
      m.save([m.target]);
    },
    abort() {
      if (!m.target) return;
      m.state.states[m.target] = "empty";
      m.target = undefined;
      m.save();
    },
    activate() {
      if (!m.target) throw new Error("virtual flash: activate before begin");
      m.state.states[m.target] = "new";
      m.state.boot = m.target;
      m.target = undefined;
      m.save();
    },
    runningState: () => (m.state.states[m.state.running] === "pending" ? "pending" : "valid"),
    markValid() {
      m.state.states[m.state.running] = "valid";
      m.save();
    },
    rollback(reason) {
      m.state.states[m.state.running] = "aborted";
      m.state.boot = other(m.state.running);
      m.save();
      onRestart?.(`rollback: ${reason}`);
    },
  };
}

/** The bootloader's rule (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE): new -> pending; pending again -> aborted. */
function bootSlot(m: Media): BootResult {
  const { state } = m;
  let slot = state.boot;
  let rolledBackFrom: SlotName | undefined;
  if (state.states[slot] === "new") state.states[slot] = "pending";
  else if (state.states[slot] === "pending") {
    state.states[slot] = "aborted"; // booted again while on trial: the new image never confirmed itself
    rolledBackFrom = slot;
    slot = other(slot);
  } else if (state.states[slot] !== "valid") {
    rolledBackFrom = slot;
    slot = other(slot);
  }
  if (state.states[slot] !== "valid" && state.states[slot] !== "pending")
    throw new Error("virtual flash: no bootable slot; flash a factory image first");
  state.boot = slot;
  state.running = slot;
  m.save();
  return {
    slot,
    image: m.images[slot].slice(),
    state: state.states[slot],
    ...(rolledBackFrom ? { rolledBackFrom } : {}),
  };
}

export function createVirtualFlash(options: {
  slotBytes: number;
  /** Keeps the flash (virtual-flash-files.ts); in memory when absent. */
  store?: FlashStore;
  /** What `rollback` does after marking the slot: the simulator restarts the device. */
  onRestart?(reason: string): void;
}): VirtualFlash {
  const m = openMedia(options.store);
  return {
    port: slotsPort(m, options.slotBytes, options.onRestart),
    flashFactory(image) {
      m.images.a = image.slice();
      m.images.b = new Uint8Array(0);
      m.state = { boot: "a", running: "a", states: { a: "valid", b: "empty" }, sizes: { a: image.length, b: 0 } };
      m.save(["a", "b"]);
    },
    boot: () => bootSlot(m),
    get state() {
      return JSON.parse(JSON.stringify(m.state)) as FlashState;
    },
    slot: (name) => m.images[name].slice(),
  };
}
