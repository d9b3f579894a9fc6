// SPDX-License-Identifier: MIT
// Runs the firmware inside the real XS engine, bridged to a Node Host: what the simulator, the XS tests
// and the bench use. Each delivery to the firmware is one XS crank, and its meter is kept.
import type { Host } from "../../modules/ports.js";
import { bundleForXs, repoPath } from "./bundle.js";
import { serveHost, type HostServer } from "./serve-host.js";
import { decodeWire, encodeWire, type WireFields } from "./wire.js";
import { XsWorker, type Meter } from "./xsnap-worker.js";

export interface XsFirmwareOptions {
  host: Host;
  config: unknown;
  firmwareVersion: string;
  deviceKey?: Uint8Array;
  /** A newly installed firmware's trial (modules/update/update-confirm.ts); default 300 s. */
  updateConfirmS?: number;
  /** Called with each crank's delivery kind and meter (bench and diagnostics). */
  onCrank?(kind: string, meter: Meter): void;
  /** Called when a delivery throws inside XS; the firmware keeps running, as the device would log it. */
  onError?(error: Error): void;
  /** Bounds every crank (compute units); default 50 million. */
  meterLimit?: number;
}

export interface XsFirmware {
  /** The device's public key (hex), as reported at boot. */
  devicePublic: string;
  /** Resolves once every queued delivery has been processed. */
  idle(): Promise<void>;
  /** Sends a control delivery (stats, gc, config) and returns its reply fields and meter. */
  control(kind: string, fields?: WireFields): Promise<{ fields: WireFields; meter: Meter }>;
  readonly server: HostServer;
  /** The live heap after a full GC: slots (the meter's count) and chunk bytes (from a heap snapshot). */
  heap(): Promise<{ slots: number; chunkBytes: number }>;
  close(): Promise<void>;
  /** Kills the engine mid-whatever, as a power cut does: no shutdown runs and queued deliveries are dropped. */
  kill(): Promise<void>;
}

let cachedBundle: Promise<string> | undefined;

/** The firmware bundle (modules/ + the guest host), built once per process. */
export function firmwareBundle(): Promise<string> {
  cachedBundle ??= bundleForXs(repoPath("hosts/xs/guest-main.ts"));
  return cachedBundle;
}

export async function startXsFirmware(options: XsFirmwareOptions): Promise<XsFirmware> {
  const queue: { fields: WireFields; blobs: readonly Uint8Array[] }[] = [];
  let pumping = false;
  const idleWaiters: (() => void)[] = [];
  let closed = false;

  const server = serveHost(options.host, (kind: string, fields: WireFields = {}, blobs: readonly Uint8Array[] = []) => {
    if (closed) return;
    queue.push({ fields: { kind, ...fields }, blobs });
    void pump();
  });
  const worker = new XsWorker({
    name: "doorbell-firmware",
    meterLimit: options.meterLimit ?? 50_000_000,
    onRequest: (request) => server.answer(request),
  });

  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length && !closed) {
        const { fields, blobs } = queue.shift()!;
        try {
          const reply = await worker.command(new Uint8Array(encodeWire(fields, blobs)));
          options.onCrank?.(fields.kind as string, reply.meter);
        } catch (error) {
          if (closed) break;
          (options.onError ?? ((e: Error) => console.error(`firmware: ${e.message}`)))(error as Error);
        }
      }
    } finally {
      pumping = false;
    }
    if (!queue.length) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  async function control(kind: string, fields: WireFields = {}, blobs: Uint8Array[] = []) {
    await idle();
    const reply = await worker.command(new Uint8Array(encodeWire({ kind, ...fields }, blobs)));
    return { fields: decodeWire(reply.bytes).fields, meter: reply.meter };
  }

  function idle(): Promise<void> {
    if (!queue.length && !pumping) return Promise.resolve();
    return new Promise((resolve) => idleWaiters.push(resolve));
  }

  await worker.evaluate(await firmwareBundle());
  const boot = await control(
    "boot",
    {
      config: options.config,
      firmwareVersion: options.firmwareVersion,
      motionView: !!options.host.motionView,
      ...(options.updateConfirmS === undefined ? {} : { updateConfirmS: options.updateConfirmS }),
    },
    options.deviceKey ? [options.deviceKey] : [],
  );

  return {
    devicePublic: boot.fields.devicePublic as string,
    idle,
    control: (kind, fields) => control(kind, fields),
    server,
    async heap() {
      await control("gc");
      const { meter } = await control("gc");
      const { chunkBytes } = await worker.heapSizes();
      return { slots: meter.currentHeapCount, chunkBytes };
    },
    async close() {
      if (closed) return;
      await idle();
      await worker.command(new Uint8Array(encodeWire({ kind: "shutdown" }))).catch(() => undefined);
      closed = true;
      server.close();
      idleWaiters.splice(0).forEach((r) => r());
      await worker.close();
    },
    async kill() {
      if (closed) return;
      closed = true;
      queue.length = 0;
      server.close();
      idleWaiters.splice(0).forEach((r) => r());
      await worker.kill();
    },
  };
}
