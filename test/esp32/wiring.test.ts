// SPDX-License-Identifier: MIT
// The smaller hosts/esp32 modules inside XS on the fakes: the device bundle's errors, the board's pins,
// the outputs, the log line, the Wi-Fi supervisor and the native crypto binding's JavaScript side.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { boardPin } from "../../hosts/esp32/board-pins.js";
import { loadResourceBundle } from "../../hosts/esp32/device-config.js";
import { createEsp32Log } from "../../hosts/esp32/log.js";
import { createNativeCrypto } from "../../hosts/esp32/native/crypto.js";
import { createEsp32Output } from "../../hosts/esp32/output.js";
import { startWifi } from "../../hosts/esp32/wifi.js";
import { toHex } from "../../modules/bytes.js";
import { pinClaimed, pinWrites } from "../xs/moddable-fakes/digital.js";
import { advance } from "../xs/moddable-fakes/event-loop.js";
import { addResource } from "../xs/moddable-fakes/resource.js";
import { sntpServer, sntpStats } from "../xs/moddable-fakes/sntp.js";
import { wallSetS } from "../xs/moddable-fakes/time.js";
import { accessPointUp, wifiStats } from "../xs/moddable-fakes/wifi.js";
import { freshBoard } from "./device.js";

describe("ESP32 device bundle, pins, outputs and log", () => {
  test("the device bundle's errors, read from the build's data (the old way), name the field and the fix", () => {
    freshBoard();
    assert.throws(() => loadResourceBundle(), /not in the build: provision the device/);
    addResource("device-config.json", "{");
    assert.throws(() => loadResourceBundle(), /\(file\) is not valid JSON/);
    addResource(
      "device-config.json",
      JSON.stringify({ format: "doorbell-device/1", config: {}, tls: { ca: "ca.der" } }),
    );
    assert.throws(() => loadResourceBundle(), /tls\.ca names "ca\.der", which is not in the build's data/);
  });

  test("board pins come from the provider; an unknown name says which file to fix", () => {
    assert.equal(boardPin("button"), 13);
    assert.throws(() => boardPin("doorSensor"), /no GPIO named "doorSensor" in host\/provider\.js/);
  });

  test("an active-low output is driven off (1) at creation and inverted after", () => {
    freshBoard();
    const relay = createEsp32Output({ pin: 12, activeLow: true });
    relay.write(1);
    relay.write(0);
    relay.close();
    assert.deepEqual(pinWrites(12), [1, 0, 1]);
    assert.equal(pinClaimed(12), false);
  });

  test("a log line is '<s since boot> <level> <tag>: <message>' and respects the minimum level", () => {
    freshBoard();
    const lines: string[] = [];
    const g = globalThis as unknown as { trace: (text: string) => void };
    const saved = g.trace;
    g.trace = (text) => void lines.push(text);
    try {
      advance(1_500);
      const log = createEsp32Log({ minLevel: "warn", clock: { monotonicMs: () => 1_500, wallMs: () => 0 } });
      log.write("info", "mqtt", "hidden");
      log.write("warn", "mqtt", "no broker");
    } finally {
      g.trace = saved;
    }
    assert.deepEqual(lines, ["1.500 warn mqtt: no broker\n"]);
  });
});

describe("ESP32 Wi-Fi supervisor and native crypto binding", () => {
  test("Wi-Fi reconnects with backoff after the access point goes, and SNTP sets the clock on each address", () => {
    const log = freshBoard();
    sntpServer(1_800_000_000);
    const wifi = startWifi({ ssid: "porch", password: "secret", log, retryMinMs: 1000, retryMaxMs: 8000 });
    advance(10);
    assert.equal(wifi.online, true);
    assert.equal(wallSetS(), 1_800_000_000);
    accessPointUp(false);
    advance(10);
    assert.equal(wifi.online, false);
    advance(60_000);
    const attempts = wifiStats.connects;
    assert.ok(attempts >= 4 && attempts <= 12, `${attempts} attempts in a minute with 1 s to 8 s backoff`);
    accessPointUp(true);
    advance(20_000);
    assert.equal(wifi.online, true);
    assert.equal(sntpStats.requests, 2);
    assert.equal(wifi.rssiDbm(), -61);
    wifi.close();
  });

  test("no SSID: the supervisor stays offline and says how to fix it", () => {
    const log = freshBoard();
    const wifi = startWifi({ log });
    assert.equal(wifi.online, false);
    assert.match(log.at("warn", "wifi")[0], /ssid=\.\.\. password=\.\.\./);
  });

  test("the crypto binding passes bytes through: RFC 4231 test case 1 HMAC-SHA256", () => {
    freshBoard();
    const crypto = createNativeCrypto();
    const mac = crypto.hmacSha256(new Uint8Array(20).fill(0x0b), new TextEncoder().encode("Hi There"));
    assert.equal(toHex(mac), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    assert.throws(() => crypto.randomBytes(70_000), /from 0 to 65536/);
    assert.equal(crypto.randomBytes(16).length, 16);
  });
});
