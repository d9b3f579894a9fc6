// SPDX-License-Identifier: MIT
// N simulated doorbells for the load bench: the real firmware (startFirmware) on the Node host's MQTT,
// crypto and timers, with storage in RAM and a camera that hands over one small fixed JPEG on demand.
import jpeg from "jpeg-js";
import { toHex } from "../../modules/bytes.js";
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import type { CameraPort, ClockPort, Frame, Host, LogPort } from "../../modules/ports.js";
import { createNodeClock, createNodeTimers } from "../../hosts/node/clock.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { createNodeMqtt } from "../../hosts/node/mqtt.js";
import { createVirtualButton } from "../../hosts/node/virtual-button.js";
import { MemoryKv, MemoryLog } from "../../test/support/fake-host.js";

/** A 64x48 grey JPEG (about 1 KB): the only frame the bench cameras ever show. */
export function smallJpeg(): Uint8Array {
  const width = 64;
  const height = 48;
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.fill((i * 7) & 0xff, i * 4, i * 4 + 3), (data[i * 4 + 3] = 255);
  return new Uint8Array(jpeg.encode({ data, width, height }, 80).data);
}

/** A camera with no capture loop: `show()` delivers the fixed frame, stamped now. */
interface OnDemandCamera extends CameraPort {
  show(): void;
}

function onDemandCamera(clock: ClockPort, bytes: Uint8Array): OnDemandCamera {
  let onFrame: ((frame: Frame) => void) | undefined;
  return {
    start: (o) => void (onFrame = o.onFrame),
    restart() {},
    stop: () => void (onFrame = undefined),
    show: () => onFrame?.({ jpeg: bytes, capturedAtMs: clock.monotonicMs(), release() {} }),
  };
}

export interface Doorbell {
  id: string;
  publicHex: string;
  firmware: Firmware;
  host: Host;
  /** A debounced press now: the frame of this instant, then the ring flow. */
  press(): void;
}

export interface Fleet {
  doorbells: Doorbell[];
  /** Warnings and errors the firmware logged (lines are never kept: counted only). */
  readonly problems: number;
  close(): void;
}

/** Starts `n` doorbells against `url`, sealing to `ownerPublicHex`. */
export function startFleet(o: {
  n: number;
  url: string;
  ownerPublicHex: string;
  /** The owner's command-signing public point (hex): the bridge's `sync` question must verify (docs/protocol.md). */
  ownerSigningPublicHex?: string;
  topicRoot: string;
  prefix: string;
  /** `outbox.confirm`: each doorbell keeps an event until the bridge confirms it (docs/delivery.md). */
  confirm: boolean;
}): Fleet {
  const jpegBytes = smallJpeg();
  const crypto = createNodeCrypto();
  let problems = 0;
  const log: LogPort = { write: (level) => void (level === "warn" || level === "error" ? problems++ : 0) };
  const doorbells = Array.from({ length: o.n }, (_, i): Doorbell => {
    const id = `${o.prefix}${String(i).padStart(4, "0")}`;
    const clock = createNodeClock();
    const camera = onDemandCamera(clock, jpegBytes);
    // The Node host's ports (hosts/node), with the storage in RAM: the bench measures delivery, not the disk.
    const host: Host = {
      clock,
      timers: createNodeTimers(),
      button: createVirtualButton(clock),
      chime: { write() {} },
      camera,
      storage: { kv: new MemoryKv(), log: new MemoryLog() },
      mqtt: createNodeMqtt({ url: o.url }),
      crypto,
      log,
      system: { restart() {}, rssiDbm: () => undefined },
    };
    const deviceKey = crypto.randomBytes(32);
    const firmware = startFirmware(host, {
      firmwareVersion: "bench",
      deviceKey,
      config: {
        deviceId: id,
        keys: { ownerPublic: o.ownerPublicHex, ownerSigningPublic: o.ownerSigningPublicHex ?? "" },
        mqtt: { topicRoot: o.topicRoot },
        status: { intervalS: 0 },
        button: { cooldownS: 0 },
        camera: { followUpMs: 0 },
        outbox: { maxEvents: 1024, maxKiB: 16384, confirm: o.confirm },
      },
    });
    return {
      id,
      host,
      firmware,
      publicHex: toHex(firmware.devicePublicKey),
      press() {
        camera.show();
        firmware.ring.press(host.clock.monotonicMs());
      },
    };
  });
  return {
    doorbells,
    get problems() {
      return problems;
    },
    close() {
      for (const d of doorbells) d.firmware.close();
    },
  };
}
