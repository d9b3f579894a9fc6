// SPDX-License-Identifier: MIT
// The owner's side of the simulation: what opens the sealed events the device publishes. This is the one
// seam where the simulator starts "the bridge"; until bridge/ exports a module API it is the simulator's
// own receiver (owner-receiver.ts), which opens and dedupes events the same way but talks to no Home Assistant.
import type { CryptoPort } from "../modules/ports.js";
import { startOwnerReceiver } from "./owner-receiver.js";

/** One event as the owner opened it. */
export interface OwnerEvent {
  id: string;
  type: string;
  seq: number;
  /** The opened header (id, type, seq, device, atMs, frameAgeMs, of, reason, box...). */
  header: Record<string, unknown>;
  jpeg?: Uint8Array;
  /** Size of the ciphertext the broker carried. */
  sealedBytes: number;
}

export interface OwnerSideOptions {
  url: string;
  crypto: CryptoPort;
  ownerSecret: Uint8Array;
  deviceId: string;
  /** The device's X25519 public key (hex). */
  devicePublic: string;
  topicRoot: string;
  /** Where the owner's side may keep state across restarts of the simulation. */
  dataDir: string;
  onEvent(event: OwnerEvent): void;
  onReject(topic: string, reason: string, duplicate: boolean): void;
}

export interface OwnerSide {
  /** What is running, for the page and the logs. */
  readonly name: string;
  close(): Promise<void>;
}

export async function startOwnerSide(o: OwnerSideOptions): Promise<OwnerSide> {
  const receiver = await startOwnerReceiver({
    url: o.url, crypto: o.crypto, ownerSecret: o.ownerSecret, topicRoot: o.topicRoot,
    devices: new Map([[o.deviceId, o.devicePublic]]),
    onEvent: (e) => o.onEvent({ id: String(e.header.id), type: String(e.header.type), seq: e.seq, header: e.header, jpeg: e.jpeg, sealedBytes: e.sealedBytes }),
    onReject: o.onReject,
  });
  return { name: "owner receiver", close: () => receiver.close() };
}
