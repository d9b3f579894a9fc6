// SPDX-License-Identifier: MIT
// The Node host: the same ports as the device, on MQTT.js, node:crypto, files and virtual hardware.
// Used by the simulator, the bridge's tests and the XS bridge.
import type { CameraPort, Host, LogLevel, LogPort, OutputPort } from "../../modules/ports.js";
import { createNodeClock, createNodeTimers } from "./clock.js";
import { createNodeCrypto } from "./crypto.js";
import { createFileStorage } from "./file-storage.js";
import { createNodeMqtt, type NodeMqttOptions } from "./mqtt.js";
import { createVirtualButton, type VirtualButton } from "./virtual-button.js";

export interface NodeHostOptions {
  /** Directory for the device's persistent storage. */
  storageDir: string;
  mqtt: NodeMqttOptions;
  /** Builds the camera once the clock exists; defaults to none (no frames). */
  camera?: (clock: Host["clock"]) => CameraPort;
  log?: LogPort;
  chime?: OutputPort;
  /** What a firmware restart does (the simulator reboots the device). */
  onRestart?(reason: string): void;
  rssiDbm?: () => number | undefined;
}

export interface NodeHost extends Host {
  button: VirtualButton;
}

/** Writes `HH:MM:SS.mmm level tag message` lines to stderr. */
export function consoleLog(prefix = ""): LogPort {
  return {
    write(level: LogLevel, tag: string, message: string) {
      const time = new Date().toISOString().slice(11, 23);
      process.stderr.write(`${time} ${prefix}${level.padEnd(5)} ${tag.padEnd(7)} ${message}\n`);
    },
  };
}

export function createNodeHost(options: NodeHostOptions): NodeHost {
  const clock = createNodeClock();
  const noCamera: CameraPort = { start() {}, restart() {}, stop() {} };
  return {
    clock,
    timers: createNodeTimers(),
    button: createVirtualButton(clock),
    chime: options.chime ?? { write() {} },
    camera: options.camera?.(clock) ?? noCamera,
    storage: createFileStorage(options.storageDir),
    mqtt: createNodeMqtt(options.mqtt),
    crypto: createNodeCrypto(),
    log: options.log ?? consoleLog(),
    system: {
      restart: (reason) => options.onRestart?.(reason),
      rssiDbm: options.rssiDbm ?? (() => undefined),
    },
  };
}
