// SPDX-License-Identifier: MIT
// One power-on of a simulated device: a Host whose ports all go dead at `cut()`, as when the supply is
// pulled. Pending timers never fire, the button and camera stop, the MQTT session is dropped without a
// DISCONNECT (so the broker publishes the last will), and nothing more reaches storage. What was already
// written to storage stays: the next power-on boots from it.
import type { Host, TimerHandle, FirmwareSlotsPort } from "../../modules/ports.js";

export interface PowerDomain {
  /** The gated ports for the firmware of this power-on. */
  host: Host;
  readonly on: boolean;
  /** Cuts the power: every port goes silent at once. Idempotent. */
  cut(): void;
}

export function createPowerDomain(base: Host): PowerDomain {
  let on = true;
  const timers = new Set<TimerHandle>();
  const dead = () => new Error("the device has no power");

  const host: Host = {
    ...(base.firmware ? { firmware: poweredSlots(base.firmware, () => on, dead) } : {}),
    clock: base.clock,
    crypto: base.crypto,
    timers: {
      set(callback, delayMs) {
        const handle: TimerHandle = base.timers.set(() => {
          timers.delete(handle);
          if (on) callback();
        }, delayMs);
        if (on) timers.add(handle);
        return handle;
      },
      clear(handle) {
        timers.delete(handle);
        base.timers.clear(handle);
      },
    },
    button: {
      open: (o) => on && base.button.open({ onEdge: (edge) => on && o.onEdge(edge) }),
      read: () => base.button.read(),
      close: () => on && base.button.close(),
    },
    chime: { write: (level) => on && base.chime.write(level) },
    camera: {
      start: (o) => on && base.camera.start({ onFrame: (frame) => (on ? o.onFrame(frame) : frame.release()) }),
      restart: () => on && base.camera.restart(),
      stop: () => on && base.camera.stop(),
    },
    storage: poweredStorage(base.storage, () => on, dead),
    mqtt: {
      connect(o) {
        if (!on) return;
        base.mqtt.connect({
          ...o,
          onConnect: () => on && o.onConnect(),
          onDisconnect: (reason) => on && o.onDisconnect(reason),
          onMessage: (topic, payload) => on && o.onMessage(topic, payload),
        });
      },
      publish(topic, payload, options, onAck) {
        if (!on) return;
        base.mqtt.publish(topic, payload, options, onAck && ((error) => on && onAck(error)));
      },
      subscribe: (topic, qos) => on && base.mqtt.subscribe(topic, qos),
      get connected() {
        return on && base.mqtt.connected;
      },
      close: () => on && base.mqtt.close(),
    },
    log: { write: (level, tag, message) => on && base.log.write(level, tag, message) },
    system: {
      restart: (reason) => on && base.system.restart(reason),
      rssiDbm: () => base.system.rssiDbm(),
    },
  };
  const view = base.motionView;
  if (view) host.motionView = { verdict: (v) => on && view.verdict(v) };

  return {
    host,
    get on() {
      return on;
    },
    cut() {
      if (!on) return;
      on = false;
      for (const handle of timers) base.timers.clear(handle);
      timers.clear();
      base.button.close();
      base.camera.stop();
      base.mqtt.close();
    },
  };
}

/** The application slots: nothing is written without power; reads go on (the bootloader reads them). */
function poweredSlots(base: FirmwareSlotsPort, on: () => boolean, dead: () => Error): FirmwareSlotsPort {
  const guard =
    <A extends unknown[]>(f: (...args: A) => void) =>
    (...args: A) => {
      if (!on()) throw dead();
      f(...args);
    };
  return {
    slotBytes: base.slotBytes,
    begin: guard((size: number, resume: boolean) => base.begin(size, resume)),
    write: guard((offset: number, bytes: Uint8Array) => base.write(offset, bytes)),
    abort: guard(() => base.abort()),
    activate: guard(() => base.activate()),
    runningState: () => base.runningState(),
    markValid: guard(() => base.markValid()),
    rollback: guard((reason: string) => base.rollback(reason)),
  };
}

/** The storage: reads go on without power (nothing changes), writes throw as a board's would fail. */
function poweredStorage(base: Host["storage"], isOn: () => boolean, dead: () => Error): Host["storage"] {
  return {
    kv: {
      get: (key) => base.kv.get(key),
      set(key, value) {
        if (!isOn()) throw dead();
        base.kv.set(key, value);
      },
      delete(key) {
        if (!isOn()) throw dead();
        base.kv.delete(key);
      },
    },
    log: {
      append(bytes) {
        if (!isOn()) throw dead();
        return base.log.append(bytes);
      },
      capacity: base.log.capacity,
      ids: () => base.log.ids(),
      read: (id) => base.log.read(id),
      records: () => base.log.records(),
      remove(id) {
        if (!isOn()) throw dead();
        base.log.remove(id);
      },
    },
  };
}
