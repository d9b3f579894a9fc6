// SPDX-License-Identifier: MIT
// The size and queue bounds of the doorbell's MQTT traffic, in one place: the generated Mosquitto config
// sets them on the broker, and the bridge refuses a larger packet before buffering it (bridge/packet-size-guard.ts).
import { MAX_ENVELOPE_BYTES } from "../../modules/envelope/layout.js";

/**
 * The largest legitimate MQTT payload: a sealed event at the envelope's limit (a ring with the largest
 * snapshot the device may send; seal and open both refuse more). Commands, states, discovery and the
 * opened JPEG the bridge re-publishes are all smaller. Mosquitto's `message_size_limit`.
 */
export const MAX_PAYLOAD_BYTES = MAX_ENVELOPE_BYTES;

/**
 * Room for everything in a PUBLISH besides the payload (MQTT 3.1.1 §3.3, MQTT 5 §3.3): the fixed header
 * (1 byte and a remaining length of up to 4), the topic's 2-byte length and the topic (the longest
 * doorbell topic is under 100 bytes; discovery topics under 200), the packet id (2), and MQTT 5
 * properties. 1 KiB covers them with a wide margin.
 */
export const PACKET_OVERHEAD_BYTES = 1024;

/** The largest MQTT packet accepted, header included: Mosquitto's `max_packet_size`, and the bridge's bound. */
export const MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + PACKET_OVERHEAD_BYTES;

/**
 * Per-client queue bounds (Mosquitto's `max_queued_messages`, `max_queued_bytes`): QoS 1 messages kept for
 * a client beyond those in flight, such as the sealed events waiting for a bridge that is away. 1,000
 * messages is Mosquitto's own default; 64 MiB holds about 680 full-size events, or thousands of ordinary
 * ones. Beyond either bound the broker drops new messages for that client (docs/provisioning.md).
 */
export const MAX_QUEUED_MESSAGES = 1000;
export const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
