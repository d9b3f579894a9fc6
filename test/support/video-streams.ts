// SPDX-License-Identifier: MIT
// Sealed video streams for tests: a device-side sender, the owner's stream opener with a recording sink and
// a fake clock for its timers. Runs under Node and inside XS.
import { createLogger } from "../../modules/logger.js";
import { generateKeyPair, type KeyPair } from "../../modules/hpke/dhkem-x25519.js";
import { createStreamSender, type StreamSender } from "../../modules/video/stream-crypto.js";
import type { StreamMeta } from "../../modules/video/stream-format.js";
import type { OpenedFrame, StreamSummary } from "../../bridge/video/opened-frame.js";
import { createStreamOpener, type StreamOpener } from "../../bridge/video/stream-opener.js";
import { FakeClock } from "./fake-clock.js";
import { testCrypto } from "./test-crypto.js";

export const crypto = testCrypto();

export interface TestDevice {
  id: string;
  keys: KeyPair;
  publicKey: Uint8Array;
  topic: string;
}

export function testDevice(id: string): TestDevice {
  const keys = generateKeyPair(crypto);
  return { id, keys, publicKey: keys.publicKey, topic: `doorbell/${id}/sealed/video` };
}

/** A small JPEG-shaped frame (SOI, bytes, EOI) whose bytes say which frame it is. */
export function jpegOf(n: number, size = 64): Uint8Array {
  const out = new Uint8Array(size).map((_, i) => (i * 13 + n) & 0xff);
  out.set([0xff, 0xd8]);
  out.set([0xff, 0xd9], size - 2);
  return out;
}

let openSeq = 100;

export function sender(
  device: TestDevice,
  owner: KeyPair,
  meta: StreamMeta = { kind: "live", startMs: 1_790_000_000_000 },
  streamByte = 1,
): StreamSender {
  return createStreamSender({
    crypto,
    sender: device.keys,
    recipientPublicKey: owner.publicKey,
    deviceId: device.id,
    topic: device.topic,
    streamId: new Uint8Array(8).fill(streamByte),
    openSeq: openSeq++,
    meta,
  });
}

export interface Owner {
  keys: KeyPair;
  clock: FakeClock;
  opener: StreamOpener;
  frames: OpenedFrame[];
  ended: StreamSummary[];
  lines: string[];
  /** Delivers `bytes` as received on `device`'s video topic (or `topic`). */
  receive(device: TestDevice, bytes: Uint8Array, topic?: string): void;
}

export function testOwner(keys: KeyPair = generateKeyPair(crypto)): Owner {
  const clock = new FakeClock();
  const frames: OpenedFrame[] = [];
  const ended: StreamSummary[] = [];
  const lines: string[] = [];
  const opener = createStreamOpener({
    crypto,
    ownerSecret: keys.privateKey,
    sink: { frame: (f) => void frames.push(f), streamEnded: (s) => void ended.push(s) },
    log: createLogger({ write: (level, tag, message) => void lines.push(`${level} ${tag} ${message}`) }, "video"),
    timers: { set: (cb, ms) => clock.set(cb, ms), clear: (h) => clock.clear(h as never) },
    now: () => clock.wallMs(),
  });
  return {
    keys,
    clock,
    opener,
    frames,
    ended,
    lines,
    receive: (device, bytes, topic) => opener.onMessage(device, topic ?? device.topic, bytes),
  };
}
