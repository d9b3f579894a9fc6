// SPDX-License-Identifier: MIT
// One call that puts every fake back to a fresh boot with empty flash, for the start of each test.
import { resetCamera } from "./camera.js";
import { resetLoop } from "./event-loop.js";
import { resetPins } from "./digital.js";
import { resetFiles } from "./file.js";
import { resetOta } from "./esp-ota.js";
import { resetFlash } from "./flash.js";
import { resetMqttClient } from "./mqtt-client.js";
import { resetNet } from "./net.js";
import { resetPower } from "./power.js";
import { resetPreferences } from "./preference.js";
import { resetResources } from "./resource.js";
import { resetSntp } from "./sntp.js";
import { resetNetwork } from "./sockets.js";
import { resetTime } from "./time.js";
import { resetWifi } from "./wifi.js";

export function resetDevice(): void {
  resetLoop();
  resetTime();
  resetPins();
  resetCamera();
  resetPower();
  resetPreferences();
  resetFiles();
  resetFlash();
  resetOta();
  resetNetwork();
  resetMqttClient();
  resetNet();
  resetResources();
  resetSntp();
  resetWifi();
}

/** A reset of the board with the flash kept: RAM, timers, pins and sockets start over. */
export function rebootDevice(): void {
  resetLoop();
  resetPins();
  resetCamera();
  resetNetwork();
  resetMqttClient();
}
