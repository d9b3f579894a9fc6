// SPDX-License-Identifier: MIT
// The Mosquitto configuration the provisioning tool writes: a TLS listener that requires a client
// certificate, takes its CN as the user name and the client id, checks a CRL and bounds sizes and queues,
// and an ACL that confines each device to its own topics. Checked against a real Mosquitto 2.0 by
// test/node/mosquitto.test.ts, broker-identity.test.ts and broker-limits.test.ts.
import { MAX_PACKET_BYTES, MAX_PAYLOAD_BYTES, MAX_QUEUED_BYTES, MAX_QUEUED_MESSAGES } from "./broker-limits.js";
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
  /** The CA's CRL (PEM); Mosquitto refuses every client certificate while it is missing or expired. */
  crlFile: string;
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
    `crlfile ${o.crlFile}`,
    "require_certificate true",
    "# The certificate's CN is the user name, and the user name replaces whatever client id the client sent:",
    "# a certificate can only ever be its own client, so it cannot take over another's session or fire its will.",
    "use_identity_as_username true",
    "use_username_as_clientid true",
    "# Minimum TLS 1.2; the ESP32's Moddable TLS speaks 1.2 with ECDHE_RSA on P-256 only.",
    "tls_version tlsv1.2",
    `ciphers ${LISTENER_CIPHERS}`,
    `acl_file ${o.aclFile}`,
    "allow_anonymous false",
    "# Sizes: a packet over max_packet_size ends the connection as soon as its header arrives, before the broker",
    "# buffers it; message_size_limit (deprecated in 2.0, kept for older brokers) bounds the payload. The largest",
    "# legitimate message is a sealed event at its limit (bridge/provision/broker-limits.ts). Both are global.",
    `max_packet_size ${MAX_PACKET_BYTES}`,
    `message_size_limit ${MAX_PAYLOAD_BYTES}`,
    "# Each client's queue of QoS 1 messages beyond those in flight; past either bound new ones are dropped.",
    `max_queued_messages ${MAX_QUEUED_MESSAGES}`,
    `max_queued_bytes ${MAX_QUEUED_BYTES}`,
    "# The bridge keeps a persistent session, so sealed events wait for it while it is away. Keep",
    "# `persistence true` (Debian's default) in the main config so they also survive a broker restart, and",
    "# `autosave_on_changes true` with `autosave_interval 1` so a crash loses at most the last pass (docs/scaling.md).",
    "",
  ].join("\n");
}

/** The bridge's rights, for one bridge identity. */
function bridgeRules(r: string, identity: string): string[] {
  return [
    `user ${identity}`,
    `topic read ${r}/+/sealed/event`,
    `topic read ${r}/+/sealed/video`,
    `topic read ${r}/+/status`,
    `topic write ${r}/+/sealed/cmd`,
    `topic write ${r}/+/sealed/ack`,
    `topic write ${r}/+/event`,
    `topic write ${r}/+/motion`,
    `topic write ${r}/+/motion/attributes`,
    `topic write ${r}/+/snapshot`,
    `topic write ${r}/+/info`,
    `topic write ${r}/+/live`,
    `topic read ${r}/+/cmd/#`,
    `topic write ${r}/+/sealed/update`,
    `topic write ${r}/+/update/chunk`,
    `topic read ${r}/+/update/progress`,
    `topic write ${r}/+/firmware`,
    "topic write homeassistant/device/+/config",
    "topic read homeassistant/status",
    "",
  ];
}

/**
 * The ACL: each device by pattern (%u is its certificate's CN, its device id), then each bridge identity
 * (`doorbell-bridge` and those of `doorbell bridge add`) with the same rights, then Home Assistant.
 */
export function mosquittoAcl(topicRoot: string, extraBridgeIdentities: readonly string[] = []): string {
  const r = topicRoot;
  return [
    "# Doorbell ACL. Written by `doorbell device add`; rewritten on each run. Mosquitto reads it at start",
    "# and on SIGHUP. A device's user name is its certificate's CN, which is its device id.",
    "",
    "# Each doorbell: its availability flag, sealed events and sealed video out, its sealed commands and its delivery",
    "# confirmations in; nothing else. Only the bridges write confirmations.",
    `pattern write ${r}/%u/status`,
    `pattern write ${r}/%u/sealed/event`,
    `pattern write ${r}/%u/sealed/video`,
    `pattern read ${r}/%u/sealed/cmd`,
    `pattern read ${r}/%u/sealed/update`,
    `pattern read ${r}/%u/update/chunk`,
    `pattern write ${r}/%u/update/progress`,
    `pattern read ${r}/%u/sealed/ack`,
    "",
    "# The bridges: open sealed events, seal commands, and publish Home Assistant's topics and discovery.",
    "# Each bridge of a shared group has its own certificate, so each is its own client (doorbell bridge add).",
    ...[BRIDGE_IDENTITY, ...extraBridgeIdentities].flatMap((identity) => bridgeRules(r, identity)),
    "# Home Assistant: the bridge's states and the doorbells' availability, the button's command topic, and",
    "# its own discovery prefix. It can neither read nor write sealed topics, nor write a doorbell's availability;",
    "# do not widen it to `topic readwrite #` (docs/provisioning.md says what that would give away).",
    `user ${HOME_ASSISTANT_IDENTITY}`,
    `topic read ${r}/+/status`,
    `topic read ${r}/+/event`,
    `topic read ${r}/+/motion`,
    `topic read ${r}/+/motion/attributes`,
    `topic read ${r}/+/snapshot`,
    `topic read ${r}/+/info`,
    `topic read ${r}/+/live`,
    `topic read ${r}/+/firmware`,
    `topic write ${r}/+/cmd/#`,
    "topic readwrite homeassistant/#",
    "",
  ].join("\n");
}
