// SPDX-License-Identifier: MIT
// The Mosquitto configuration the provisioning tool writes: a TLS listener that requires a client
// certificate and takes its CN as the user name, and an ACL that confines each device to its own topics.
// Checked against a real Mosquitto 2 by test/node/mosquitto.test.ts.
import { BRIDGE_IDENTITY, HOME_ASSISTANT_IDENTITY } from "./home-layout.js";

/**
 * TLS 1.2 suites a Moddable device can use with a client certificate: ECDHE_RSA key exchange on P-256.
 * The SDK offers TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and _AES_128_CBC_SHA256; the others serve
 * other clients. TLS 1.3 clients (Node, Home Assistant) negotiate 1.3 and ignore this list.
 */
export const LISTENER_CIPHERS = [
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES256-GCM-SHA384",
  "ECDHE-RSA-CHACHA20-POLY1305",
  "ECDHE-RSA-AES128-SHA256",
].join(":");

export interface ListenerOptions {
  port: number;
  /** Address to bind; omitted binds every interface. */
  bindAddress?: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  aclFile: string;
}

/** The listener section, to include from the broker's mosquitto.conf. Paths should be absolute. */
export function mosquittoListenerConfig(o: ListenerOptions): string {
  return [
    "# Doorbell: TLS listener with client certificates. Written by `doorbell device add`; rewritten on each run.",
    "# Every client (doorbells, the bridge, Home Assistant) presents a certificate from the doorbell CA,",
    "# and its common name becomes its user name for the ACL. See docs/provisioning.md.",
    `listener ${o.port}${o.bindAddress ? ` ${o.bindAddress}` : ""}`,
    `cafile ${o.caFile}`,
    `certfile ${o.certFile}`,
    `keyfile ${o.keyFile}`,
    "require_certificate true",
    "use_identity_as_username true",
    "# Minimum TLS 1.2; the ESP32's Moddable TLS speaks 1.2 with ECDHE_RSA on P-256 only.",
    "tls_version tlsv1.2",
    `ciphers ${LISTENER_CIPHERS}`,
    `acl_file ${o.aclFile}`,
    "allow_anonymous false",
    "# The bridge keeps a persistent session, so sealed events wait for it while it is away. Keep",
    "# `persistence true` (Debian's default) in the main config so they also survive a broker restart, and",
    "# `autosave_on_changes true` with `autosave_interval 1` so a crash loses at most the last pass (docs/scaling.md).",
    "",
  ].join("\n");
}

/** The ACL: each device by pattern (%u is its certificate's CN, its device id), then the bridge and Home Assistant. */
export function mosquittoAcl(topicRoot: string): string {
  const r = topicRoot;
  return [
    "# Doorbell ACL. Written by `doorbell device add`; rewritten on each run. Mosquitto reads it at start",
    "# and on SIGHUP. A device's user name is its certificate's CN, which is its device id.",
    "",
    "# Each doorbell: its availability flag and sealed events out, its sealed commands in; nothing else.",
    `pattern write ${r}/%u/status`,
    `pattern write ${r}/%u/sealed/event`,
    `pattern read ${r}/%u/sealed/cmd`,
    "",
    "# The bridge: opens sealed events, seals commands, and publishes Home Assistant's topics and discovery.",
    `user ${BRIDGE_IDENTITY}`,
    `topic read ${r}/+/sealed/event`,
    `topic read ${r}/+/status`,
    `topic write ${r}/+/sealed/cmd`,
    `topic write ${r}/+/event`,
    `topic write ${r}/+/motion`,
    `topic write ${r}/+/snapshot`,
    `topic write ${r}/+/info`,
    `topic read ${r}/+/cmd/#`,
    "topic write homeassistant/device/+/config",
    "topic read homeassistant/status",
    "",
    "# Home Assistant: the bridge's states and the doorbells' availability, the button's command topic, and",
    "# its own discovery prefix. It needs no access to sealed topics. (Home Assistant's other integrations",
    "# may need `topic readwrite #`; that is safe for the doorbell, whose commands must be sealed by the owner.)",
    `user ${HOME_ASSISTANT_IDENTITY}`,
    `topic read ${r}/+/status`,
    `topic read ${r}/+/event`,
    `topic read ${r}/+/motion`,
    `topic read ${r}/+/snapshot`,
    `topic read ${r}/+/info`,
    `topic write ${r}/+/cmd/#`,
    "topic readwrite homeassistant/#",
    "",
  ].join("\n");
}
