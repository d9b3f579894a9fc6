// SPDX-License-Identifier: MIT
// Binds every port of modules/ports.ts to the Moddable SDK on the AI-Thinker ESP32-CAM.
// Constructs hardware only when called (from main), never at import: host modules may be preloaded.
import Net from "net";
import type { Host, LogLevel, OutputPort } from "../../modules/ports.js";
import { boardPin } from "./board-pins.js";
import { createEsp32Button } from "./button.js";
import { createEsp32Camera } from "./camera.js";
import { createEsp32Clock } from "./clock.js";
import { createEsp32FirmwareSlots } from "./firmware-slots.js";
import { createEsp32Log } from "./log.js";
import { createEsp32Mqtt } from "./mqtt.js";
import type { TlsCredentials } from "./mqtt-client.js";
import { createNativeCrypto } from "./native/crypto.js";
import { createNativeRedactor } from "./native/redact.js";
import { createNativeThumbnailDecoder } from "./native/thumb.js";
import { createEsp32Output } from "./output.js";
import { createEsp32Storage } from "./storage.js";
import { createEsp32System } from "./system.js";
import { createEsp32Timers } from "./timers.js";
import { startWifi } from "./wifi.js";

export interface Esp32HostOptions {
  /** The broker; the host connects only when the firmware calls `mqtt.connect`. */
  mqtt: { host: string; port: number; tls: TlsCredentials };
  /** Station credentials (from `mcconfig ... ssid=... password=...`) and the SNTP server. */
  wifi: { ssid?: string; password?: string; sntpHost?: string };
  /** Requested JPEG frame size. Default 640x480. */
  camera?: { width?: number; height?: number };
  /** GPIO overrides; default the board provider's `button`, `chime` and `flashLed`. */
  pins?: { button?: number; chime?: number; flashLed?: number };
  /** True for a chime driver that is on at 0 V (an active-low relay module). Default false. */
  chimeActiveLow?: boolean;
  /** Default "info". */
  logLevel?: LogLevel;
}

/** The ESP32 host: every port, plus the board's flash LED (no port uses it yet) and teardown. */
export interface Esp32Host extends Host {
  /** The on-board flash LED on GPIO 4, switched off at start. */
  flashLed: OutputPort;
  /** Stops Wi-Fi, MQTT, camera, button and the clock sampler and releases the GPIOs. */
  close(): void;
}

/**
 * Creates the host and starts the Wi-Fi supervisor. The chime and the flash LED are driven off
 * before anything else, so a reset never leaves the relay energised.
 */
export function createEsp32Host(options: Esp32HostOptions): Esp32Host {
  const clock = createEsp32Clock();
  const log = createEsp32Log({ minLevel: options.logLevel ?? "info", clock });
  const pins = options.pins ?? {};
  const chime = createEsp32Output({ pin: pins.chime ?? boardPin("chime"), activeLow: options.chimeActiveLow });
  const flashLed = createEsp32Output({ pin: pins.flashLed ?? boardPin("flashLed") });
  const wifi = startWifi({ ...options.wifi, log });
  const button = createEsp32Button({ pin: pins.button ?? boardPin("button"), clock, log });
  const camera = createEsp32Camera({ ...options.camera, clock, log });
  const mqtt = createEsp32Mqtt({ ...options.mqtt, dnsServers: () => Net.get("DNS") ?? [], log });

  return {
    clock,
    timers: createEsp32Timers(log),
    button,
    chime,
    camera,
    storage: createEsp32Storage({ log }),
    mqtt,
    crypto: createNativeCrypto(),
    thumbnails: createNativeThumbnailDecoder(),
    // Privacy zones blanked in C (doorbell_redact.c): the same bytes as modules/jpeg/redact.ts (BENCHMARKS.md, redaction).
    redactor: createNativeRedactor(),
    log,
    system: createEsp32System({ log, rssiDbm: () => wifi.rssiDbm() }),
    firmware: createEsp32FirmwareSlots({ log }),
    flashLed,
    close() {
      mqtt.close();
      camera.stop();
      button.close();
      wifi.close();
      chime.write(0);
      chime.close();
      flashLed.write(0);
      flashLed.close();
      clock.close();
    },
  };
}
