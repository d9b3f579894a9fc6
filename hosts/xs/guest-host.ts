// SPDX-License-Identifier: MIT
// Inside XS: a Host whose ports are calls to the Node parent, and the dispatcher for what the parent
// delivers (timer fires, button edges, frames, MQTT events). The parent decides what is real.
import type { ButtonEdge, Frame, Host, LogRecord, MqttConnectOptions, TimerHandle } from "../../modules/ports.js";
import { call } from "./guest-call.js";
import { createGuestCrypto } from "./guest-crypto.js";
import type { WireMessage } from "./wire.js";

interface GuestTimer extends TimerHandle {
  id: number;
}

export interface GuestHost {
  host: Host;
  /** Routes one delivery from the parent; returns false when the kind is not a port event. */
  dispatch(message: WireMessage): boolean;
}

export function createGuestHost(): GuestHost {
  const timers = new Map<number, () => void>();
  const acks = new Map<number, (error?: string) => void>();
  let nextTimerId = 1;
  let nextAckId = 1;
  let onEdge: ((edge: ButtonEdge) => void) | undefined;
  let onFrame: ((frame: Frame) => void) | undefined;
  let mqttOptions: MqttConnectOptions | undefined;
  let connected = false;

  const host: Host = {
    clock: {
      monotonicMs: () => call("clock.mono").fields.v as number,
      wallMs: () => call("clock.wall").fields.v as number,
    },
    timers: {
      set(callback, delayMs) {
        const id = nextTimerId++;
        timers.set(id, callback);
        call("timer.set", { id, ms: delayMs });
        return { id } as GuestTimer;
      },
      clear(handle) {
        const id = (handle as GuestTimer).id;
        if (timers.delete(id)) call("timer.clear", { id });
      },
    },
    button: {
      open(options) {
        onEdge = options.onEdge;
        call("button.open");
      },
      read: () => call("button.read").fields.v as 0 | 1,
      close() {
        onEdge = undefined;
        call("button.close");
      },
    },
    chime: { write: (level) => void call("chime.write", { level }) },
    camera: {
      start(options) {
        onFrame = options.onFrame;
        call("camera.start");
      },
      restart: () => void call("camera.restart"),
      stop() {
        onFrame = undefined;
        call("camera.stop");
      },
    },
    storage: {
      kv: {
        get: (key) => call("kv.get", { key }).blobs[0],
        set: (key, value) => void call("kv.set", { key }, [value]),
        delete: (key) => void call("kv.delete", { key }),
      },
      log: {
        append: (bytes) => call("log.append", {}, [bytes]).fields.id as number,
        records(): LogRecord[] {
          const r = call("log.records");
          return (r.fields.ids as number[]).map((id, i) => ({ id, bytes: r.blobs[i] }));
        },
        remove: (id) => void call("log.remove", { id }),
      },
    },
    mqtt: {
      connect(options) {
        mqttOptions = options;
        const { will } = options;
        call(
          "mqtt.connect",
          {
            clientId: options.clientId,
            keepAliveS: options.keepAliveS,
            will: { topic: will.topic, qos: will.qos, retain: will.retain },
          },
          [will.payload],
        );
      },
      publish(topic, payload, options, onAck) {
        let ackId = 0;
        if (onAck) {
          ackId = nextAckId++;
          acks.set(ackId, onAck);
        }
        call("mqtt.publish", { topic, qos: options.qos, retain: options.retain, dup: !!options.dup, ackId }, [payload]);
      },
      subscribe: (topic, qos) => void call("mqtt.subscribe", { topic, qos }),
      get connected() {
        return connected;
      },
      close() {
        connected = false;
        call("mqtt.close");
      },
    },
    crypto: createGuestCrypto(),
    log: { write: (level, tag, message) => void call("log.write", { level, tag, message }) },
    system: {
      restart: (reason) => void call("system.restart", { reason }),
      rssiDbm: () => call("system.rssi").fields.v as number | undefined,
    },
  };

  function dispatch({ fields, blobs }: WireMessage): boolean {
    switch (fields.kind) {
      case "timer": {
        const callback = timers.get(fields.id as number);
        timers.delete(fields.id as number);
        callback?.();
        return true;
      }
      case "edge":
        onEdge?.({ level: fields.level as 0 | 1, atMs: fields.atMs as number, coalesced: fields.coalesced === true });
        return true;
      case "frame": {
        const id = fields.id as number;
        if (!onFrame) {
          call("frame.release", { id });
          return true;
        }
        let released = false;
        onFrame({
          jpeg: blobs[0],
          capturedAtMs: fields.capturedAtMs as number,
          release() {
            if (released) return;
            released = true;
            call("frame.release", { id });
          },
        });
        return true;
      }
      case "mqtt.connect":
        connected = true;
        mqttOptions?.onConnect();
        return true;
      case "mqtt.disconnect":
        connected = false;
        mqttOptions?.onDisconnect(fields.reason as string);
        return true;
      case "mqtt.message":
        mqttOptions?.onMessage(fields.topic as string, blobs[0]);
        return true;
      case "mqtt.ack": {
        const ack = acks.get(fields.ackId as number);
        acks.delete(fields.ackId as number);
        ack?.(fields.error as string | undefined);
        return true;
      }
    }
    return false;
  }

  return { host, dispatch };
}
