// SPDX-License-Identifier: MIT
// The simulator's firmware images: what sits in the virtual flash's slots. The simulator runs the same firmware
// code whatever the slot holds; the image only says which version it is and, to test a rollback, that its build
// cannot reach the broker. Format: "DOORBELL-SIM-FW/1\n", a JSON line, then filler bytes up to the size asked.

const MAGIC = "DOORBELL-SIM-FW/1\n";

export interface SimImage {
  version: string;
  /** A build whose broker setting is wrong: every connect attempt fails (the rollback scenario). */
  unreachableBroker: boolean;
}

/** An image of `sizeBytes` (at least the header); the filler depends on the version, so images differ. */
export function makeSimImage(image: SimImage, sizeBytes = 64 * 1024): Uint8Array {
  const head = new TextEncoder().encode(`${MAGIC}${JSON.stringify(image)}\n`);
  const out = new Uint8Array(Math.max(sizeBytes, head.length));
  out.set(head, 0);
  let x = 0x9e3779b9;
  for (const c of image.version) x = (x ^ c.charCodeAt(0)) * 0x01000193;
  for (let i = head.length; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** The image's description, or undefined when the bytes are not a simulator image. */
export function readSimImage(bytes: Uint8Array): SimImage | undefined {
  const text = new TextDecoder().decode(bytes.subarray(0, 512));
  if (!text.startsWith(MAGIC)) return undefined;
  const line = text.slice(MAGIC.length, text.indexOf("\n", MAGIC.length));
  try {
    const raw = JSON.parse(line) as Partial<SimImage>;
    if (typeof raw.version !== "string") return undefined;
    return { version: raw.version, unreachableBroker: raw.unreachableBroker === true };
  } catch {
    return undefined;
  }
}

/**
 * The page's upload as the simulated board would run it: a simulator image as it is; any other file gets the
 * simulator's header with `version` before its bytes, since the simulator cannot read a real build's version.
 */
export function asSimImage(bytes: Uint8Array, version: string): Uint8Array {
  if (readSimImage(bytes)) return bytes;
  const head = makeSimImage({ version, unreachableBroker: false }, 0);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head, 0);
  out.set(bytes, head.length);
  return out;
}
