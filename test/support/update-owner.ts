// SPDX-License-Identifier: MIT
// The owner's side of an update for tests: test images, a manifest packed for one device, and a bridge stand-in
// that answers the device's progress messages with chunks on a fake host.
import { fromUtf8 } from "../../modules/bytes.js";
import { deviceTopics } from "../../modules/topics.js";
import { chainImage, manifestFor, sealManifest, type ChainedImage } from "../../modules/update/update-pack.js";
import type { UpdateManifest } from "../../modules/update/update-format.js";
import type { FakeHost } from "./fake-host.js";
import type { OwnerKeys } from "./owner.js";
import { seededRandom } from "./seeded-random.js";
import { testCrypto } from "./test-crypto.js";

export const TOPIC_ROOT = "doorbell";

/** A test image: a readable header naming the version, then pseudo-random bytes (`seed` varies them). */
export function testImage(version: string, sizeBytes: number, seed = 1): Uint8Array {
  const image = new Uint8Array(sizeBytes);
  const random = seededRandom(seed);
  for (let i = 0; i < sizeBytes; i++) image[i] = Math.floor(random() * 256);
  image.set(new TextEncoder().encode(`DOORBELL-FW ${version}\n`).subarray(0, sizeBytes), 0);
  return image;
}

/** Packs `image` for `deviceId`; `edit` may change the manifest before it is sealed (to test refusals). */
export function packForTest(o: {
  owner: OwnerKeys;
  devicePublicKey: Uint8Array;
  deviceId: string;
  image: Uint8Array;
  version: string;
  seq: number;
  chunkBytes?: number;
  allowDowngrade?: boolean;
  edit?(m: UpdateManifest): UpdateManifest;
  sign?(message: Uint8Array): Uint8Array;
  ownerSecret?: Uint8Array;
}): { chained: ChainedImage; manifest: Uint8Array } {
  const chained = chainImage(o.image, o.chunkBytes ?? 1024);
  let m = manifestFor(chained, o.version, { allowDowngrade: o.allowDowngrade, atMs: 1_790_000_000_000 });
  if (o.edit) m = o.edit(m);
  const manifest = sealManifest({
    crypto: testCrypto(),
    ownerSecret: o.ownerSecret ?? o.owner.secret,
    sign: o.sign ?? o.owner.sign,
    devicePublicKey: o.devicePublicKey,
    deviceId: o.deviceId,
    topic: deviceTopics(TOPIC_ROOT, o.deviceId).update,
    seq: o.seq,
    manifest: m,
  });
  return { chained, manifest };
}

/** The device's progress messages so far, parsed. */
export function progressOf(host: FakeHost, deviceId: string): Record<string, unknown>[] {
  const topic = deviceTopics(TOPIC_ROOT, deviceId).updateProgress;
  return host.mqtt.published.filter((p) => p.topic === topic).map((p) => JSON.parse(fromUtf8(p.payload)));
}

/**
 * Answers the device's "want" messages with chunks until it stops asking, `maxChunks` are sent, or `tamper`
 * returns a replacement. Returns how many chunks it sent.
 */
export function serveChunks(
  host: FakeHost,
  deviceId: string,
  chained: ChainedImage,
  o: { maxChunks?: number; tamper?(index: number, chunk: Uint8Array): Uint8Array } = {},
): number {
  const topics = deviceTopics(TOPIC_ROOT, deviceId);
  let sent = 0;
  let seen = Math.max(0, progressOf(host, deviceId).length - 1); // the latest message may be a want not yet served
  for (let step = 0; step < chained.chunks.length * 2 + 4 && sent < (o.maxChunks ?? Infinity); step++) {
    const all = progressOf(host, deviceId);
    const fresh = all.slice(seen);
    seen = all.length;
    const want = fresh.filter((p) => p.state === "want").at(-1);
    if (!want || want.id !== chained.updateId) break;
    const index = want.next as number;
    const chunk = o.tamper ? o.tamper(index, chained.chunks[index]) : chained.chunks[index];
    host.mqtt.options?.onMessage(topics.updateChunk, chunk);
    sent++;
  }
  return sent;
}
