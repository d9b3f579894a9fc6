// SPDX-License-Identifier: MIT
// Keeps the Wi-Fi station connected for as long as the device runs, and the clock set by SNTP.
// The SDK's setup/network connects once, before main, and waits forever for an address; a doorbell
// must ring without a network, so the manifest drops setup/network and this supervisor takes over:
// it reconnects with exponential backoff and jitter, and (re)syncs the clock on every new address.
import WiFi from "embedded:network/interface/wifi";
import SNTP from "sntp";
import Time from "time";
import Timer from "timer";
import type { LogPort } from "../../modules/ports.js";
import { describeError } from "./guard.js";

const TAG = "wifi";
/** `WiFi.connection` values (modules/io/wifi/esp32/wifi-esp32.c). */
const DISCONNECTED = 200;
const HAS_ADDRESS = 500;
/** Re-sync the clock this often while online; the ESP32 RTC drifts by seconds a day. */
const RESYNC_MS = 12 * 3_600_000;
/** Retry a failed SNTP exchange after this long. */
const SNTP_RETRY_MS = 60_000;

export interface WifiOptions {
  /** Network name; without it the supervisor stays offline and says so. */
  ssid?: string;
  password?: string;
  /** SNTP server host name. Default "pool.ntp.org". */
  sntpHost?: string;
  /** First reconnect delay. Default 2000 ms. */
  retryMinMs?: number;
  /** Longest reconnect delay. Default 60000 ms. */
  retryMaxMs?: number;
  log: LogPort;
}

export interface WifiSupervisor {
  /** True while the station has an address. */
  readonly online: boolean;
  /** Signal strength of the access point in dBm, while associated. */
  rssiDbm(): number | undefined;
  close(): void;
}

/** Starts the supervisor. Call at run time only: it brings up the Wi-Fi driver. */
export function startWifi(options: WifiOptions): WifiSupervisor {
  const { log } = options;
  const minMs = options.retryMinMs ?? 2000;
  const maxMs = options.retryMaxMs ?? 60_000;
  const sntpHost = options.sntpHost ?? "pool.ntp.org";
  let online = false;
  let delayMs = minMs;
  let retry: Timer | undefined;
  let resync: Timer | undefined;
  let closed = false;

  if (!options.ssid) {
    log.write("warn", TAG, "no SSID: pass ssid=... password=... to mcconfig; staying offline");
    return { online: false, rssiDbm: () => undefined, close() {} };
  }
  const credentials = { SSID: options.ssid, ...(options.password ? { password: options.password } : {}) };

  const syncClock = () => {
    Timer.clear(resync);
    resync = undefined;
    try {
      new SNTP({ host: sntpHost }, (message, value) => {
        if (message === SNTP.time && value !== undefined) {
          Time.set(value);
          log.write("info", TAG, `clock set from ${sntpHost}`);
          if (online && !closed) resync = Timer.set(syncClock, RESYNC_MS);
        } else if (message === SNTP.error) {
          log.write("warn", TAG, `no time from ${sntpHost}; retrying in ${SNTP_RETRY_MS / 1000} s`);
          if (online && !closed) resync = Timer.set(syncClock, SNTP_RETRY_MS);
        }
      });
    } catch (error) {
      log.write("warn", TAG, `SNTP failed to start: ${describeError(error)}`);
      if (online && !closed) resync = Timer.set(syncClock, SNTP_RETRY_MS);
    }
  };

  const connect = () => {
    retry = undefined;
    if (closed) return;
    try {
      station.connect(credentials);
    } catch (error) {
      log.write("warn", TAG, `connect failed: ${describeError(error)}`);
      scheduleRetry();
    }
  };

  const scheduleRetry = () => {
    if (retry || closed) return;
    const wait = Math.round(delayMs * (0.5 + Math.random()));
    delayMs = Math.min(maxMs, delayMs * 2);
    log.write("info", TAG, `reconnecting in ${wait} ms`);
    retry = Timer.set(connect, wait);
  };

  const onChanged = () => {
    const connection = station.connection;
    if (connection >= HAS_ADDRESS && !online) {
      online = true;
      delayMs = minMs;
      log.write("info", TAG, `online as ${station.address ?? "?"} rssi=${station.RSSI ?? "?"}`);
      syncClock();
    } else if (connection <= DISCONNECTED) {
      if (online) log.write("warn", TAG, "offline");
      online = false;
      Timer.clear(resync);
      resync = undefined;
      scheduleRetry();
    }
  };

  const station = new WiFi({ onChanged });
  if (station.connection >= HAS_ADDRESS) onChanged();
  else connect();

  return {
    get online() {
      return online;
    },
    rssiDbm() {
      return online ? station.RSSI : undefined;
    },
    close() {
      closed = true;
      Timer.clear(retry);
      Timer.clear(resync);
      station.close();
    },
  };
}
