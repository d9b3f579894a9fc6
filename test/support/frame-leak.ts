// SPDX-License-Identifier: MIT
// Finds pieces of known JPEG frames inside other bytes (recorded MQTT payloads): every 32-byte window of each
// frame at a stride of 16, and each frame's first 64 bytes. Any run of 47 or more bytes copied from a frame
// contains a whole window, wherever it sits in the payload. A chance match on ciphertext is 2^-256 per window.

/** Window length and stride, in bytes. */
export const LEAK_WINDOW_BYTES = 32;
export const LEAK_STRIDE_BYTES = 16;
export const LEAK_HEAD_BYTES = 64;

export interface LeakHit {
  /** Index of the frame the matched bytes came from (the first that holds them). */
  frame: number;
  /** Offset of the match in the scanned payload. */
  at: number;
  length: number;
}

export interface LeakDetector {
  /** Distinct patterns searched for (windows and heads). */
  readonly patterns: number;
  /** The first piece of a frame in `payload`, or undefined. */
  find(payload: Uint8Array): LeakHit | undefined;
}

interface Pattern {
  bytes: Uint8Array;
  frame: number;
}

const key = (b: Uint8Array, at: number) => ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;

/** Indexes `frames` (each at least LEAK_HEAD_BYTES long) by the first four bytes of each pattern. */
export function createLeakDetector(frames: readonly Uint8Array[]): LeakDetector {
  const byKey = new Map<number, Pattern[]>();
  const seen = new Set<string>();
  let patterns = 0;
  const add = (bytes: Uint8Array, frame: number) => {
    const id = Buffer.from(bytes).toString("latin1");
    if (seen.has(id)) return;
    seen.add(id);
    patterns++;
    const k = key(bytes, 0);
    const list = byKey.get(k);
    if (list) list.push({ bytes, frame });
    else byKey.set(k, [{ bytes, frame }]);
  };
  frames.forEach((f, i) => {
    if (f.length < LEAK_HEAD_BYTES) throw new RangeError(`frame ${i} has ${f.length} bytes; too short to search for`);
    add(f.subarray(0, LEAK_HEAD_BYTES), i);
    for (let at = 0; at + LEAK_WINDOW_BYTES <= f.length; at += LEAK_STRIDE_BYTES)
      add(f.subarray(at, at + LEAK_WINDOW_BYTES), i);
  });
  const matches = (payload: Uint8Array, at: number, p: Uint8Array) => {
    if (at + p.length > payload.length) return false;
    for (let j = 4; j < p.length; j++) if (payload[at + j] !== p[j]) return false;
    return true;
  };
  return {
    patterns,
    find(payload) {
      for (let at = 0; at + 4 <= payload.length; at++) {
        const list = byKey.get(key(payload, at));
        if (!list) continue;
        for (const p of list) if (matches(payload, at, p.bytes)) return { frame: p.frame, at, length: p.bytes.length };
      }
      return undefined;
    },
  };
}
