// SPDX-License-Identifier: MIT
// The owner's side of an update (docs/ota.md): chains an image into chunk messages (the same for every
// device), and seals and signs a manifest for one device, as a command is: HPKE mode_auth from the owner's
// X25519 key, then the owner's ECDSA P-256 signature, so only the owner can make one that a device accepts.
import { toHex } from "../bytes.js";
import { signCommandEnvelope } from "../command-signature.js";
import { sealEnvelope } from "../envelope/seal-envelope.js";
import type { CryptoPort } from "../ports.js";
import { parseFirmwareVersion } from "./firmware-version.js";
import { sha256 } from "./sha256.js";
import {
  CHAIN_HASH_BYTES,
  chunkHash,
  DEFAULT_CHUNK_BYTES,
  encodeChunk,
  MAX_CHUNK_BYTES,
  MAX_IMAGE_BYTES,
  MIN_CHUNK_BYTES,
  type UpdateManifest,
  updateIdOf,
} from "./update-format.js";

export interface ChainedImage {
  size: number;
  sha256: string;
  chunkBytes: number;
  firstChunk: string;
  updateId: string;
  /** The chunk messages, in order (modules/update/update-format.ts). */
  chunks: Uint8Array[];
}

/** Splits `image` into chunks, each carrying the chain hash of the next, built from the last one back. */
export function chainImage(image: Uint8Array, chunkBytes = DEFAULT_CHUNK_BYTES): ChainedImage {
  if (image.length < 1 || image.length > MAX_IMAGE_BYTES)
    throw new RangeError(`update: the image is ${image.length} bytes; expected 1..${MAX_IMAGE_BYTES}`);
  if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_CHUNK_BYTES || chunkBytes > MAX_CHUNK_BYTES || chunkBytes % 64)
    throw new RangeError(
      `update: chunk size ${chunkBytes} is not a multiple of 64 in ${MIN_CHUNK_BYTES}..${MAX_CHUNK_BYTES}`,
    );
  const count = Math.ceil(image.length / chunkBytes);
  const payloads: Uint8Array[] = new Array(count);
  let next: Uint8Array = new Uint8Array(CHAIN_HASH_BYTES);
  for (let i = count - 1; i >= 0; i--) {
    const data = image.subarray(i * chunkBytes, Math.min(image.length, (i + 1) * chunkBytes));
    const payload = new Uint8Array(data.length + CHAIN_HASH_BYTES);
    payload.set(data, 0);
    payload.set(next, data.length);
    payloads[i] = payload;
    next = chunkHash(i, payload);
  }
  const firstChunk = toHex(next);
  const updateId = updateIdOf({ firstChunk });
  return {
    size: image.length,
    sha256: toHex(sha256(image)),
    chunkBytes,
    firstChunk,
    updateId,
    chunks: payloads.map((p, i) => encodeChunk(updateId, i, p)),
  };
}

/** The manifest for `chained` at `version`. */
export function manifestFor(
  chained: ChainedImage,
  version: string,
  options: { allowDowngrade?: boolean; atMs: number },
): UpdateManifest {
  if (!parseFirmwareVersion(version)) throw new RangeError(`update: version "${version}" is not major.minor.patch`);
  return {
    v: 1,
    kind: "firmware",
    version,
    size: chained.size,
    sha256: chained.sha256,
    chunkBytes: chained.chunkBytes,
    chunks: chained.chunks.length,
    firstChunk: chained.firstChunk,
    allowDowngrade: options.allowDowngrade === true,
    atMs: options.atMs,
  };
}

/** Seals `manifest` to one device for its update topic and appends the owner's signature. */
export function sealManifest(options: {
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  /** ECDSA P-256/SHA-256 with the owner's signing key: r || s over the message given. */
  sign(message: Uint8Array): Uint8Array;
  devicePublicKey: Uint8Array;
  deviceId: string;
  /** The device's update topic (`deviceTopics(root, id).update`). */
  topic: string;
  /** Strictly increasing per device (the CLI uses the wall clock in ms); the device refuses one not newer. */
  seq: number;
  manifest: UpdateManifest;
}): Uint8Array {
  const envelope = sealEnvelope({
    crypto: options.crypto,
    senderPrivateKey: options.ownerSecret,
    recipientPublicKey: options.devicePublicKey,
    deviceId: options.deviceId,
    topic: options.topic,
    seq: options.seq,
    header: options.manifest,
  });
  return signCommandEnvelope(options.sign, options.deviceId, options.topic, envelope);
}
