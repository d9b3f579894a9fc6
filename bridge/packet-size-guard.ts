// SPDX-License-Identifier: MIT
// Follows the MQTT packet framing of a byte stream (fixed header: a type byte and a 1-4 byte Remaining
// Length, MQTT 3.1.1 §2.2.3 / MQTT 5 §2.1.4) without buffering anything, and reports a packet larger than
// the limit as soon as its header arrives: the bridge closes the connection before a big payload is read.

export type GuardResult = { ok: true } | { ok: false; packetBytes: number; reason: "too-large" | "malformed-length" };

export interface PacketSizeGuard {
  /** Feeds the next bytes read from the broker; after a refusal the stream must be closed. */
  push(chunk: Uint8Array): GuardResult;
}

/** A guard for packets of at most `maxPacketBytes`, header included. State is O(1) whatever is pushed. */
export function createPacketSizeGuard(maxPacketBytes: number): PacketSizeGuard {
  let headerBytes = 0; // bytes of the current fixed header read so far (0: expecting a type byte)
  let remaining = 0; // the Remaining Length being decoded
  let multiplier = 1;
  let toSkip = 0; // bytes of the current packet's body still to pass
  let failed: GuardResult | undefined;
  return {
    push(chunk) {
      if (failed) return failed;
      let i = 0;
      while (i < chunk.length) {
        if (toSkip > 0) {
          const n = Math.min(toSkip, chunk.length - i);
          toSkip -= n;
          i += n;
          continue;
        }
        const byte = chunk[i++];
        if (headerBytes === 0) {
          headerBytes = 1;
          remaining = 0;
          multiplier = 1;
          continue;
        }
        headerBytes++;
        remaining += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        if (byte & 0x80) {
          if (headerBytes === 5) {
            failed = { ok: false, packetBytes: Number.NaN, reason: "malformed-length" }; // [MQTT-2.2.3]: at most 4 bytes
            return failed;
          }
          continue;
        }
        const packetBytes = headerBytes + remaining;
        if (packetBytes > maxPacketBytes) {
          failed = { ok: false, packetBytes, reason: "too-large" };
          return failed;
        }
        toSkip = remaining;
        headerBytes = 0;
      }
      return { ok: true };
    },
  };
}
