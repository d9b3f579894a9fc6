// SPDX-License-Identifier: MIT
// The host for the Moddable SDK's desktop simulator (mcsim; mcconfig -p lin, mac or win). The network and
// storage are the ESP32 host's own modules, running for real over the desktop's sockets and files: the
// ECMA-419 MQTT client, Moddable's TLS and UDP DNS (hosts/esp32/mqtt.ts), the two-slot preference store and
// the one-file-per-record outbox log. Only the board's parts come from the skin: button, camera, chime, LED.
import type { Host, LogLevel } from "../../modules/ports.js";
import { createEsp32Clock } from "../esp32/clock.js";
import { createEsp32Log } from "../esp32/log.js";
import { createEsp32Mqtt } from "../esp32/mqtt.js";
import type { TlsCredentials } from "../esp32/mqtt-client.js";
import { createNativeCrypto } from "../esp32/native/crypto.js";
import { createNativeRedactor } from "../esp32/native/redact.js";
import { createNativeThumbnailDecoder } from "../esp32/native/thumb.js";
import { createEsp32Timers } from "../esp32/timers.js";
import { createMcsimButton } from "./button.js";
import { createMcsimCamera, type McsimCamera } from "./folder-camera.js";
import { createSkinLink, type McsimScreen } from "./skin-link.js";
import { createSkinOutput, type SkinOutput } from "./skin-output.js";
import { withStatusLed } from "./status-led.js";
import { createMcsimStorage } from "./storage.js";

const TAG = "system";

export interface McsimHostOptions {
  /** The broker (Mosquitto on loopback, for example); the host connects only when the firmware calls `mqtt.connect`. */
  mqtt: { host: string; port: number; tls: TlsCredentials };
  /** DNS servers for a broker given by name; an IPv4 literal or "localhost" needs none. Default none. */
  dnsServers?: string[];
  /** The camera's frames folder (absolute) and the time between frames in ms (default 200). */
  frames: { dir: string; framePeriodMs?: number };
  /** Folder for the outbox's record files, created if missing (its parent must exist). */
  outboxDir: string;
  /** Default `globalThis.screen`. */
  screen?: McsimScreen;
  /** Also gets each camera frame's bytes after the firmware; the desktop build draws them in the skin. */
  preview?: (jpeg: Uint8Array) => void;
  /** Default "info". */
  logLevel?: LogLevel;
}

export interface McsimHost extends Host {
  /** The skin's status LED; lit while the broker session is up. */
  statusLed: SkinOutput;
  camera: McsimCamera;
  /** Stops MQTT, the camera and the button, and lets go of the skin. */
  close(): void;
}

/** Creates the host. Call at run time only (from the app's main): it lists the frames folder and claims `screen`. */
export function createMcsimHost(options: McsimHostOptions): McsimHost {
  const clock = createEsp32Clock();
  const log = createEsp32Log({ minLevel: options.logLevel ?? "info", clock });
  const link = createSkinLink({ screen: options.screen, log });
  const chime = createSkinOutput({ link, name: "chime" });
  const statusLed = createSkinOutput({ link, name: "led" });
  const button = createMcsimButton({ link, clock, log });
  const camera = createMcsimCamera({ ...options.frames, link, clock, log, preview: options.preview });
  const dnsServers = options.dnsServers ?? [];
  const mqtt = withStatusLed(createEsp32Mqtt({ ...options.mqtt, dnsServers: () => dnsServers, log }), statusLed);

  return {
    clock,
    timers: createEsp32Timers(log),
    button,
    chime,
    camera,
    storage: createMcsimStorage({ outboxDir: options.outboxDir, log }),
    mqtt,
    crypto: createNativeCrypto(),
    thumbnails: createNativeThumbnailDecoder(),
    redactor: createNativeRedactor(),
    log,
    system: {
      // The simulator cannot reset itself; a restart request is logged and the app goes on.
      restart: (reason) => log.write("warn", TAG, `restart requested (${reason}); in mcsim, use its Reload instead`),
      rssiDbm: () => undefined,
    },
    statusLed,
    close() {
      mqtt.close();
      camera.stop();
      button.close();
      chime.write(0);
      link.close();
      clock.close();
    },
  };
}
