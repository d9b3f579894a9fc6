// SPDX-License-Identifier: MIT
// A simulated Wi-Fi link in front of an MQTT port: while the link is down no session can be opened, and
// dropping it cuts the open session at once, as losing the access point does. The firmware sees only
// the port's ordinary connect failures and disconnects.
import type { MqttConnectOptions, MqttPort } from "../../modules/ports.js";

export interface WifiLink extends MqttPort {
  /** True while the simulated access point is reachable. */
  readonly up: boolean;
  /** Drops (false) or restores (true) the link; dropping cuts the current session. */
  setUp(up: boolean): void;
}

export interface WifiLinkOptions {
  /** The real port behind the link. */
  inner: MqttPort;
  /** How long a connect attempt takes to fail while the link is down (default 500 ms). */
  failAfterMs?: number;
}

export function createWifiLink(options: WifiLinkOptions): WifiLink {
  const { inner } = options;
  const failAfterMs = options.failAfterMs ?? 500;
  let up = true;
  let session: MqttConnectOptions | undefined;
  let failing: ReturnType<typeof setTimeout> | undefined;

  const cancelFailing = () => {
    if (failing) clearTimeout(failing);
    failing = undefined;
  };

  return {
    get up() {
      return up;
    },
    setUp(next) {
      if (next === up) return;
      up = next;
      if (up) return;
      const cut = session;
      session = undefined;
      if (!cut) return;
      inner.close(); // fails every unacknowledged publish; the port reports no disconnect of its own
      cut.onDisconnect("Wi-Fi lost");
    },
    connect(o) {
      cancelFailing();
      session = undefined;
      if (!up) {
        failing = setTimeout(() => {
          failing = undefined;
          o.onDisconnect("connect failed: no Wi-Fi");
        }, failAfterMs);
        return;
      }
      const mine: MqttConnectOptions = {
        ...o,
        onDisconnect(reason) {
          if (session === mine) session = undefined;
          o.onDisconnect(reason);
        },
      };
      session = mine;
      inner.connect(mine);
    },
    publish(topic, payload, po, onAck) {
      if (!up) {
        onAck?.("not connected");
        return;
      }
      inner.publish(topic, payload, po, onAck);
    },
    subscribe(topic, qos) {
      if (up) inner.subscribe(topic, qos);
    },
    get connected() {
      return up && inner.connected;
    },
    close() {
      cancelFailing();
      session = undefined;
      inner.close();
    },
  };
}
