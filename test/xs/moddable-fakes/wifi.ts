// SPDX-License-Identifier: MIT
// Fake of ECMA-419 `embedded:network/interface/wifi` on ESP32 (modules/io/wifi/esp32/wifi-esp32.c)
// with an access point the test controls. As in the SDK: `connection` is 200 (disconnected), 300
// (connecting), 400 (associated, no address) or 500 (has an address); `connect` throws "already
// connecting" while an attempt runs and "SSID required" without one; `onChanged(property)` runs on a
// later turn with this = the instance, "connection" or "address"; `RSSI` and `address` are undefined
// while not associated.
import { post } from "./event-loop.js";

interface AccessPoint {
  ssid: string;
  password: string | undefined;
  up: boolean;
  rssiDbm: number;
}

const ap: AccessPoint = { ssid: "porch", password: "secret", up: true, rssiDbm: -61 };
let station: WiFi | undefined;
export const wifiStats = { connects: 0 };

export function resetWifi(): void {
  Object.assign(ap, { ssid: "porch", password: "secret", up: true, rssiDbm: -61 });
  station = undefined;
  wifiStats.connects = 0;
}

/** The access point comes back (connect attempts succeed) or goes away (the station drops). */
export function accessPointUp(up: boolean): void {
  ap.up = up;
  if (!up) station?.lost();
}

class WiFi {
  #connection = 200;
  #onChanged: ((this: WiFi, property: "connection" | "address") => void) | undefined;
  #open = true;

  constructor(options: { onChanged?: (this: WiFi, property: "connection" | "address") => void }) {
    this.#onChanged = options.onChanged;
    station = this;
  }

  #change(connection: number, property: "connection" | "address"): void {
    this.#connection = connection;
    post(() => {
      if (this.#open) this.#onChanged?.call(this, property);
    });
  }

  connect(options: { SSID?: string; password?: string }): void {
    if (this.#connection === 300) throw new Error("already connecting");
    if (!options.SSID) throw new Error("SSID required");
    wifiStats.connects++;
    this.#connection = 300;
    post(() => {
      if (!this.#open) return;
      const ok = ap.up && options.SSID === ap.ssid && options.password === ap.password;
      if (!ok) return this.#change(200, "connection");
      this.#change(400, "connection");
      this.#change(500, "address");
    });
  }

  lost(): void {
    if (this.#connection > 200) this.#change(200, "connection");
  }

  disconnect(): void {
    this.lost();
  }

  close(): void {
    this.#open = false;
    if (station === this) station = undefined;
  }

  get connection(): number {
    return this.#connection;
  }
  get address(): string | undefined {
    return this.#connection === 500 ? "192.168.1.40" : undefined;
  }
  get SSID(): string | undefined {
    return this.#connection >= 400 ? ap.ssid : undefined;
  }
  get RSSI(): number | undefined {
    return this.#connection >= 400 ? ap.rssiDbm : undefined;
  }
}

export default WiFi;
