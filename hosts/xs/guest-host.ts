// SPDX-License-Identifier: MIT
// Inside XS: a Host whose ports are calls to the Node parent, and the dispatcher for the events the parent
// delivers (timer fires, button edges, frames, MQTT), both typed by host-calls.ts. The parent decides what is real.
import type {
  ButtonEdge,
  ButtonPort,
  CameraPort,
  Frame,
  Host,
  LogRecord,
  MqttConnectOptions,
  MqttPort,
  FirmwareSlotsPort,
  StoragePort,
  TimerHandle,
  TimerPort,
} from "../../modules/ports.js";
import { call } from "./guest-call.js";
import { createGuestCrypto } from "./guest-crypto.js";
import type { EventListeners, HostEvents } from "./host-calls.js";
import type { WireMessage } from "./wire.js";

interface GuestTimer extends TimerHandle {
  id: number;
}

export interface GuestHost {
  host: Host;
  /** Routes one delivery from the parent; returns false when the kind is not a port event. */
  dispatch(message: WireMessage): boolean;
  /** Adds the motion view port (the parent's Host has one), before the firmware starts. */
  showMotion(): void;
}

/** A port as the guest builds it, with its listeners for the parent's events. */
interface GuestPort<P, K extends keyof HostEvents> {
  port: P;
  on: Pick<EventListeners, K>;
}

export function createGuestHost(): GuestHost {
  const timers = guestTimers();
  const button = guestButton();
  const camera = guestCamera();
  const mqtt = guestMqtt();
  const listeners: EventListeners = { ...timers.on, ...button.on, ...camera.on, ...mqtt.on };
  const host: Host = {
    clock: {
      monotonicMs: () => call("clock.mono").fields.v,
      wallMs: () => call("clock.wall").fields.v,
    },
    timers: timers.port,
    button: button.port,
    chime: { write: (level) => void call("chime.write", { level }) },
    camera: camera.port,
    storage: guestStorage(),
    mqtt: mqtt.port,
    crypto: createGuestCrypto(),
    log: { write: (level, tag, message) => void call("log.write", { level, tag, message }) },
    system: {
      restart: (reason) => void call("system.restart", { reason }),
      rssiDbm: () => call("system.rssi").fields.v,
    },
    ...guestSlots(),
  };

  function dispatch({ fields, blobs }: WireMessage): boolean {
    const kind = fields.kind as keyof HostEvents;
    if (!Object.hasOwn(listeners, kind)) return false;
    (listeners[kind] as (fields: unknown, blobs: Uint8Array[]) => void)(fields, blobs);
    return true;
  }

  return { host, dispatch, showMotion };

  /** Gives the host a motion view: each frame's verdict goes to the parent ("motion.verdict"). */
  function showMotion(): void {
    host.motionView = {
      verdict: ({ cells, box, capturedAtMs, cols, rows, active, light }) =>
        void call(
          "motion.verdict",
          { capturedAtMs, cols, rows, box: [box[0], box[1], box[2], box[3]], active, light },
          [cells],
        ),
    };
  }
}

function guestTimers(): GuestPort<TimerPort, "timer"> {
  const timers = new Map<number, () => void>();
  let nextTimerId = 1;
  const fire = ({ id }: { id: number }) => {
    const callback = timers.get(id);
    timers.delete(id);
    callback?.();
  };
  const port: TimerPort = {
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
  };
  return { port, on: { timer: fire } };
}

function guestButton(): GuestPort<ButtonPort, "edge"> {
  let onEdge: ((edge: ButtonEdge) => void) | undefined;
  const port: ButtonPort = {
    open(options) {
      onEdge = options.onEdge;
      call("button.open");
    },
    read: () => call("button.read").fields.v,
    close() {
      onEdge = undefined;
      call("button.close");
    },
  };
  return {
    port,
    on: { edge: ({ level, atMs, coalesced }) => onEdge?.({ level, atMs, coalesced: coalesced === true }) },
  };
}

/** Frames arrive as events; each is released back to the parent once, and at once when nobody listens. */
function guestCamera(): GuestPort<CameraPort, "frame"> {
  let onFrame: ((frame: Frame) => void) | undefined;
  const frame: EventListeners["frame"] = ({ id, capturedAtMs }, [jpeg]) => {
    if (!onFrame) {
      call("frame.release", { id });
      return;
    }
    let released = false;
    onFrame({
      jpeg,
      capturedAtMs,
      release() {
        if (released) return;
        released = true;
        call("frame.release", { id });
      },
    });
  };
  const port: CameraPort = {
    start(options) {
      onFrame = options.onFrame;
      call("camera.start");
    },
    restart: () => void call("camera.restart"),
    stop() {
      onFrame = undefined;
      call("camera.stop");
    },
  };
  return { port, on: { frame } };
}

function guestStorage(): StoragePort {
  return {
    kv: {
      get: (key) => call("kv.get", { key }).blobs[0],
      set: (key, value) => void call("kv.set", { key }, [value]),
      delete: (key) => void call("kv.delete", { key }),
    },
    log: {
      append: (bytes) => call("log.append", {}, [bytes]).fields.id,
      ids: () => call("log.ids").fields.ids,
      read: (id) => call("log.read", { id }).blobs[0],
      records(): LogRecord[] {
        const r = call("log.records");
        return r.fields.ids.map((id, i) => ({ id, bytes: r.blobs[i] }));
      },
      remove: (id) => void call("log.remove", { id }),
    },
  };
}

type MqttEvent = "mqtt.connect" | "mqtt.disconnect" | "mqtt.message" | "mqtt.ack";

function guestMqtt(): GuestPort<MqttPort, MqttEvent> {
  const acks = new Map<number, (error?: string) => void>();
  let nextAckId = 1;
  let options: MqttConnectOptions | undefined;
  let connected = false;
  const on: Pick<EventListeners, MqttEvent> = {
    "mqtt.connect": () => {
      connected = true;
      options?.onConnect();
    },
    "mqtt.disconnect": ({ reason }) => {
      connected = false;
      options?.onDisconnect(reason);
    },
    "mqtt.message": ({ topic }, [payload]) => options?.onMessage(topic, payload),
    "mqtt.ack": ({ ackId, error }) => {
      const ack = acks.get(ackId);
      acks.delete(ackId);
      ack?.(error);
    },
  };
  const port: MqttPort = {
    connect(connectOptions) {
      options = connectOptions;
      const { clientId, keepAliveS, will } = connectOptions;
      call("mqtt.connect", { clientId, keepAliveS, will: { topic: will.topic, qos: will.qos, retain: will.retain } }, [
        will.payload,
      ]);
    },
    publish(topic, payload, { qos, retain, dup }, onAck) {
      let ackId = 0;
      if (onAck) {
        ackId = nextAckId++;
        acks.set(ackId, onAck);
      }
      call("mqtt.publish", { topic, qos, retain, dup: !!dup, ackId }, [payload]);
    },
    subscribe: (topic, qos) => void call("mqtt.subscribe", { topic, qos }),
    get connected() {
      return connected;
    },
    close() {
      connected = false;
      call("mqtt.close");
    },
  };
  return { port, on };
}

/** The parent's application slots, when it has them (the simulator's virtual flash). */
function guestSlots(): { firmware?: FirmwareSlotsPort } {
  const { slotBytes } = call("fw.info").fields;
  if (slotBytes === undefined) return {};
  return {
    firmware: {
      slotBytes,
      begin: (size, resume) => void call("fw.begin", { size, resume }),
      write: (offset, bytes) => void call("fw.write", { offset }, [bytes]),
      abort: () => void call("fw.abort"),
      activate: () => void call("fw.activate"),
      runningState: () => call("fw.state").fields.state,
      markValid: () => void call("fw.markValid"),
      rollback: (reason) => void call("fw.rollback", { reason }),
    },
  };
}
