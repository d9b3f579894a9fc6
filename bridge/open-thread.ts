// SPDX-License-Identifier: MIT
// The body of one opening thread (open-threads.ts): opens sealed events with the same openEnvelope as the event
// loop does, off the event loop. It gets the owner's secret and the devices' public keys once (RAM only, never
// logged), keeps each device's static DH (RFC 9180 §4.1 AuthDecap), and answers each batch of envelopes in order.
// It checks nothing that needs the bridge's state: the replay check and the staging stay on the event loop.
import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import { type OpenConstants, openConstants, openEnvelope } from "../modules/envelope/open-envelope.js";
import { staticDh } from "../modules/hpke/dhkem-x25519.js";
import type { OpenBatch, OpenInit, OpenReply, OpenReplies } from "./open-threads.js";

const init = workerData as OpenInit;
const crypto = createNodeCrypto();
const ownerSecret = new Uint8Array(init.ownerSecret);
const ownerPublic = crypto.x25519(ownerSecret);
const devices = new Map(
  init.devices.map(({ id, publicKey }) => {
    const key = new Uint8Array(publicKey);
    let dh: Uint8Array | undefined;
    try {
      dh = staticDh(crypto, { privateKey: ownerSecret, publicKey: ownerPublic }, key);
    } catch {
      dh = undefined; // a malformed or low-order device key: every open fails as without the cache
    }
    return [id, { publicKey: key, staticDh: dh, constants: undefined as OpenConstants | undefined }];
  }),
);

function openOne(device: string, topic: string, bytes: Uint8Array): OpenReply {
  const d = devices.get(device);
  if (!d) return { error: `no such device ${device}` };
  try {
    const result = openEnvelope({
      crypto,
      recipientPrivateKey: ownerSecret,
      recipientPublicKey: ownerPublic,
      senderPublicKey: d.publicKey,
      staticDh: d.staticDh,
      constants: (d.constants ??= openConstants(crypto, device, topic, d.publicKey)), // public; checked per open
      deviceId: device,
      topic,
      bytes,
    });
    return { result, digest: createHash("sha256").update(bytes).digest("hex") };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

parentPort!.on("message", (batch: OpenBatch) => {
  const replies: OpenReplies = { id: batch.id, replies: batch.jobs.map((j) => openOne(j.device, j.topic, j.bytes)) };
  parentPort!.postMessage(replies);
});
