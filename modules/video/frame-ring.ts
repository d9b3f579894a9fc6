// SPDX-License-Identifier: MIT
// The clip ring: copies of recent camera frames in one buffer allocated once (PSRAM on the ESP32-CAM), so the
// camera's three buffers go straight back. Bounded by bytes and by frames; the oldest copies are evicted first.

/** A frame copied into the ring. `jpeg` is a view into the ring: valid until the next `push`. */
export interface RingFrame {
  /** Increases by one per frame kept; never reused. */
  readonly id: number;
  readonly capturedAtMs: number;
  readonly jpeg: Uint8Array;
}

export interface FrameRingOptions {
  /** The ring's size in bytes: all it ever holds. */
  capacityBytes: number;
  /** Most frames held at once. */
  maxFrames: number;
}

export interface FrameRingStats {
  kept: number;
  evicted: number;
  /** Frames larger than the ring (or empty): not kept, each counted. */
  refused: number;
}

export interface FrameRing {
  /** Copies `jpeg` in, evicting the oldest frames to make room; returns its id, or undefined when it cannot fit. */
  push(jpeg: Uint8Array, capturedAtMs: number): number | undefined;
  /** The frame with this id, or undefined once evicted. */
  get(id: number): RingFrame | undefined;
  /**
   * The snapshot rule of modules/pre-roll.ts over the copies: the newest frame captured at or before `atMs` and
   * at most two periods before it, else the first within one period after it. A view, valid until the next push.
   */
  frameAt(atMs: number, framePeriodMs: number): RingFrame | undefined;
  /** The id of the oldest frame held captured at or after `ms`, or undefined. */
  firstAtOrAfter(ms: number): number | undefined;
  /** The id the next kept frame will get. */
  readonly nextId: number;
  readonly bytesHeld: number;
  readonly framesHeld: number;
  readonly capacityBytes: number;
  readonly stats: Readonly<FrameRingStats>;
  /** Zero-fills the buffer and forgets every frame. */
  clear(): void;
}

interface Slot {
  id: number;
  capturedAtMs: number;
  at: number;
  length: number;
}

export function createFrameRing(o: FrameRingOptions): FrameRing {
  const buffer = new Uint8Array(o.capacityBytes);
  const slots: Slot[] = []; // oldest first; each a contiguous span of `buffer`
  const stats: FrameRingStats = { kept: 0, evicted: 0, refused: 0 };
  let nextId = 1;
  let held = 0;

  const evictOldest = () => {
    const s = slots.shift()!;
    held -= s.length;
    stats.evicted++;
  };
  /** Where `length` bytes go after the newest frame: right after it, or at 0 when the end is too near. */
  const placeAfterNewest = (length: number) => {
    const newest = slots[slots.length - 1];
    const end = newest ? newest.at + newest.length : 0;
    return end + length <= buffer.length ? end : 0;
  };
  /** True while a held frame occupies any byte of [at, at + length): never overwrite a frame still held. */
  const overlapsHeld = (at: number, length: number) => slots.some((s) => at < s.at + s.length && s.at < at + length);

  const get = (id: number): RingFrame | undefined => {
    const first = slots[0];
    if (!first || id < first.id) return undefined;
    const s = slots[id - first.id];
    if (!s || s.id !== id) return undefined;
    return { id, capturedAtMs: s.capturedAtMs, jpeg: buffer.subarray(s.at, s.at + s.length) };
  };

  return {
    push(jpeg, capturedAtMs) {
      if (jpeg.length === 0 || jpeg.length > buffer.length) {
        stats.refused++;
        return undefined;
      }
      while (slots.length >= o.maxFrames) evictOldest();
      const at = placeAfterNewest(jpeg.length);
      // Bounded: each pass evicts one frame (oldest first), and an empty ring always has room.
      for (let guard = slots.length; guard > 0 && overlapsHeld(at, jpeg.length); guard--) evictOldest();
      buffer.set(jpeg, at);
      slots.push({ id: nextId, capturedAtMs, at, length: jpeg.length });
      held += jpeg.length;
      stats.kept++;
      return nextId++;
    },
    get,
    frameAt(atMs, periodMs) {
      for (let i = slots.length - 1; i >= 0; i--) {
        const s = slots[i];
        if (s.capturedAtMs > atMs) continue;
        if (atMs - s.capturedAtMs <= 2 * periodMs) return get(s.id);
        break;
      }
      const after = slots.find((s) => s.capturedAtMs > atMs && s.capturedAtMs - atMs <= periodMs);
      return after && get(after.id);
    },
    firstAtOrAfter(ms) {
      return slots.find((s) => s.capturedAtMs >= ms)?.id;
    },
    get nextId() {
      return nextId;
    },
    get bytesHeld() {
      return held;
    },
    get framesHeld() {
      return slots.length;
    },
    capacityBytes: buffer.length,
    stats,
    clear() {
      buffer.fill(0);
      slots.length = 0;
      held = 0;
    },
  };
}
