// SPDX-License-Identifier: MIT
// Node side of the bridge: answers the XS guest's port calls with a real Node Host, and turns that
// host's callbacks (timers, edges, frames, MQTT) into deliveries for the guest, queued one at a time
// because the worker is single-threaded and may be blocked inside a call.
import type { Frame, Host, TimerHandle } from "../../modules/ports.js";
import { decodeWire, encodeWire, type WireFields } from "./wire.js";

export type Deliver = (fields: WireFields, blobs?: Uint8Array[]) => void;

export interface HostServer {
  /** Answers one guest request (the worker's synchronous `issueCommand`). */
  answer(request: Uint8Array): Uint8Array;
  /** Frames handed to the guest and not yet released. */
  readonly framesOutstanding: number;
  close(): void;
}

/** Serves `host` to a guest; `deliver` queues an event for the guest's `handleCommand`. */
export function serveHost(host: Host, deliver: Deliver): HostServer {
  const timers = new Map<number, TimerHandle>();
  const frames = new Map<number, Frame>();
  let nextFrameId = 1;

  const ok = (fields: WireFields = {}, blobs: Uint8Array[] = []) => new Uint8Array(encodeWire(fields, blobs));

  function handle(f: WireFields, b: Uint8Array[]): Uint8Array {
    switch (f.op) {
      case "clock.mono":
        return ok({ v: host.clock.monotonicMs() });
      case "clock.wall":
        return ok({ v: host.clock.wallMs() });
      case "timer.set": {
        const id = f.id as number;
        timers.set(
          id,
          host.timers.set(() => {
            timers.delete(id);
            deliver({ kind: "timer", id });
          }, f.ms as number),
        );
        return ok();
      }
      case "timer.clear": {
        const handle = timers.get(f.id as number);
        if (handle) host.timers.clear(handle);
        timers.delete(f.id as number);
        return ok();
      }
      case "button.open":
        host.button.open({
          onEdge: (edge) => deliver({ kind: "edge", level: edge.level, atMs: edge.atMs, coalesced: edge.coalesced }),
        });
        return ok();
      case "button.read":
        return ok({ v: host.button.read() });
      case "button.close":
        host.button.close();
        return ok();
      case "chime.write":
        host.chime.write(f.level as 0 | 1);
        return ok();
      case "camera.start":
        host.camera.start({
          onFrame(frame) {
            const id = nextFrameId++;
            frames.set(id, frame);
            deliver({ kind: "frame", id, capturedAtMs: frame.capturedAtMs }, [frame.jpeg]);
          },
        });
        return ok();
      case "camera.restart":
        host.camera.restart();
        return ok();
      case "camera.stop":
        host.camera.stop();
        return ok();
      case "frame.release": {
        frames.get(f.id as number)?.release();
        frames.delete(f.id as number);
        return ok();
      }
      case "kv.get": {
        const v = host.storage.kv.get(f.key as string);
        return ok({}, v ? [v] : []);
      }
      case "kv.set":
        host.storage.kv.set(f.key as string, b[0]);
        return ok();
      case "kv.delete":
        host.storage.kv.delete(f.key as string);
        return ok();
      case "log.append":
        return ok({ id: host.storage.log.append(b[0]) });
      case "log.records": {
        const records = host.storage.log.records();
        return ok(
          { ids: records.map((r) => r.id) },
          records.map((r) => r.bytes),
        );
      }
      case "log.remove":
        host.storage.log.remove(f.id as number);
        return ok();
      case "mqtt.connect": {
        const will = f.will as { topic: string; qos: 0 | 1; retain: boolean };
        host.mqtt.connect({
          clientId: f.clientId as string,
          keepAliveS: f.keepAliveS as number,
          will: { ...will, payload: b[0] },
          onConnect: () => deliver({ kind: "mqtt.connect" }),
          onDisconnect: (reason) => deliver({ kind: "mqtt.disconnect", reason }),
          onMessage: (topic, payload) => deliver({ kind: "mqtt.message", topic }, [payload]),
        });
        return ok();
      }
      case "mqtt.publish": {
        const ackId = f.ackId as number;
        host.mqtt.publish(
          f.topic as string,
          b[0],
          { qos: f.qos as 0 | 1, retain: !!f.retain, dup: !!f.dup },
          ackId ? (error) => deliver({ kind: "mqtt.ack", ackId, error }) : undefined,
        );
        return ok();
      }
      case "mqtt.subscribe":
        host.mqtt.subscribe(f.topic as string, f.qos as 0 | 1);
        return ok();
      case "mqtt.close":
        host.mqtt.close();
        return ok();
      case "crypto.x25519":
        return ok({}, [host.crypto.x25519(b[0], b[1])]);
      case "crypto.hmac":
        return ok({}, [host.crypto.hmacSha256(b[0], b[1])]);
      case "crypto.seal":
        return ok({}, [host.crypto.chacha20Poly1305Seal(b[0], b[1], b[2], b[3])]);
      case "crypto.open": {
        const opened = host.crypto.chacha20Poly1305Open(b[0], b[1], b[2], b[3]);
        return ok({}, opened ? [opened] : []);
      }
      case "crypto.random":
        return ok({}, [host.crypto.randomBytes(f.length as number)]);
      case "crypto.ecdsaP256Verify":
        return ok({ valid: host.crypto.ecdsaP256Verify(b[0], b[1], b[2]) });
      case "log.write":
        host.log.write(f.level as "info", f.tag as string, f.message as string);
        return ok();
      case "system.restart":
        host.system.restart(f.reason as string);
        return ok();
      case "system.rssi":
        return ok({ v: host.system.rssiDbm() });
    }
    return ok({ error: `unknown host call ${String(f.op)}` });
  }

  return {
    answer(request) {
      const { fields, blobs } = decodeWire(request);
      try {
        return handle(fields, blobs);
      } catch (error) {
        return ok({ error: `${String(fields.op)}: ${(error as Error).message}` });
      }
    },
    get framesOutstanding() {
      return frames.size;
    },
    close() {
      for (const handle of timers.values()) host.timers.clear(handle);
      timers.clear();
      for (const frame of frames.values()) frame.release();
      frames.clear();
    },
  };
}
