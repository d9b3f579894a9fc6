// SPDX-License-Identifier: MIT
// Splits the bytes a broker sends into MQTT 3.1.1 control packets (§2.2: a fixed header byte, a variable byte
// integer length, the body), for the bench's light publisher. Bench only: a malformed length throws.

export interface MqttFrame {
  /** The control packet type (§2.2.1): 2 CONNACK, 3 PUBLISH, 4 PUBACK, 9 SUBACK, ... */
  type: number;
  /** The fixed header's low four bits (§2.2.2): for PUBLISH, DUP, QoS and RETAIN. */
  flags: number;
  /** Everything after the remaining length: a view into the input. */
  body: Buffer;
}

/** The whole packets at the start of `bytes`, and the bytes of an incomplete one after them. */
export function readFrames(bytes: Buffer): { frames: MqttFrame[]; rest: Buffer } {
  const frames: MqttFrame[] = [];
  let at = 0;
  for (;;) {
    if (bytes.length - at < 2) break;
    let length = 0;
    let shift = 0;
    let p = at + 1;
    let complete = false;
    for (let k = 0; k < 4 && p < bytes.length; k++, p++) {
      length += (bytes[p] & 0x7f) * 2 ** shift;
      shift += 7;
      if (!(bytes[p] & 0x80)) {
        complete = true;
        p++;
        break;
      }
      if (k === 3) throw new Error("MQTT remaining length longer than 4 bytes (§2.2.3)");
    }
    if (!complete || bytes.length - p < length) break;
    frames.push({ type: bytes[at] >> 4, flags: bytes[at] & 0x0f, body: bytes.subarray(p, p + length) });
    at = p + length;
  }
  return { frames, rest: bytes.subarray(at) };
}
