// SPDX-License-Identifier: MIT
// Threads that open the bridge's sealed events off the event loop (open-thread.ts), so the crypto of an open
// (one X25519, the key schedule's HMACs, the AEAD) runs beside the MQTT and state work of the event loop.
// Batches go round-robin to the threads; the receiver (event-receiver.ts) puts the replies back in arrival
// order. A thread that fails stops the pool: the receiver then opens on the event loop, as without threads.
import { Worker } from "node:worker_threads";
import type { OpenEnvelopeResult } from "../modules/envelope/open-envelope.js";

/** What a thread is started with: the owner's secret (RAM only) and each served device's public key. */
export interface OpenInit {
  ownerSecret: Uint8Array;
  devices: { id: string; publicKey: Uint8Array }[];
}

export interface OpenJob {
  device: string;
  topic: string;
  bytes: Uint8Array;
}

export interface OpenBatch {
  id: number;
  jobs: OpenJob[];
}

/** One envelope opened (without the replay check, which needs the bridge's state) and its SHA-256, or an error. */
export type OpenReply = { result: OpenEnvelopeResult; digest: string } | { error: string };

export interface OpenReplies {
  id: number;
  replies: OpenReply[];
}

export interface OpenThreads {
  /** Sends batch `id` to the next thread (moving `transfer`); its replies come to `onReplies`, in the batch's order. */
  post(batch: OpenBatch, transfer?: ArrayBuffer[]): void;
  close(): void;
}

/** The most threads accepted: more than the machine's cores only adds switching. */
export const MAX_OPEN_THREADS = 8;

export function startOpenThreads(o: {
  count: number;
  init: OpenInit;
  onReplies(replies: OpenReplies): void;
  /** A thread failed or exited: the pool is stopped, and batches posted and not answered never will be. */
  onFailure(error: Error): void;
}): OpenThreads {
  if (!Number.isInteger(o.count) || o.count < 1 || o.count > MAX_OPEN_THREADS)
    throw new RangeError(`open threads: ${o.count} is not accepted; use an integer from 1 to ${MAX_OPEN_THREADS}`);
  let stopped = false;
  const stop = (error: Error) => {
    if (stopped) return;
    stopped = true;
    for (const w of workers) void w.terminate();
    o.onFailure(error);
  };
  const workers = Array.from({ length: o.count }, () => {
    const w = new Worker(new URL("./open-thread.js", import.meta.url), { workerData: o.init });
    w.unref(); // the bridge's MQTT connection keeps the process alive, not its threads
    w.on("message", (r: OpenReplies) => void (stopped || o.onReplies(r)));
    w.on("error", (error) => stop(error));
    w.on("exit", (code) => stop(new Error(`an opening thread exited with ${code}`)));
    return w;
  });
  let next = 0;
  return {
    post(batch, transfer) {
      if (stopped) throw new Error("open threads: stopped");
      workers[next].postMessage(batch, transfer);
      next = (next + 1) % workers.length;
    },
    close() {
      stopped = true;
      for (const w of workers) {
        w.removeAllListeners("exit");
        void w.terminate();
      }
    },
  };
}
