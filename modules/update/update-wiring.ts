// SPDX-License-Identifier: MIT
// Wires owner updates into the firmware: the receiver on the update and chunk topics, and the trial of a newly
// installed firmware, which watches its first status event until the outbox has delivered it.
import type { ConfigStore } from "../config-store.js";
import type { DeviceKey } from "../device-key.js";
import type { Logger } from "../logger.js";
import type { Host, TimerHandle } from "../ports.js";
import type { DeviceTopics } from "../topics.js";
import { createUpdateConfirm } from "./update-confirm.js";
import { createUpdateReceiver, type UpdateReceiver } from "./update-receiver.js";

/** How often the trial looks whether the status event left the outbox. */
const DELIVERY_POLL_MS = 500;

export function startUpdates(
  host: Host,
  options: { firmwareVersion: string; updateConfirmS?: number },
  config: ConfigStore,
  key: DeviceKey,
  topics: DeviceTopics,
  log: Logger,
) {
  const receiver: UpdateReceiver = createUpdateReceiver({
    crypto: host.crypto,
    kv: host.storage.kv,
    timers: host.timers,
    log,
    slots: host.firmware,
    deviceKey: key,
    ownerKeys: () => ({
      publicHex: config.current.keys.ownerPublic,
      signingPublicHex: config.current.keys.ownerSigningPublic,
    }),
    deviceId: config.current.deviceId,
    topics,
    runningVersion: options.firmwareVersion,
    publish: (topic, payload) => host.mqtt.publish(topic, payload, { qos: 0, retain: false }),
    connected: () => host.mqtt.connected,
    restart: (reason) => host.system.restart(reason),
  });
  const trial = createUpdateConfirm({
    slots: host.firmware,
    timers: host.timers,
    log,
    runningVersion: options.firmwareVersion,
    confirmS: options.updateConfirmS,
  });
  let held: ((id: string) => boolean) | undefined;
  let poll: TimerHandle | undefined;
  const watch = (id: string) => {
    poll = undefined;
    if (!trial.pending || !held) return;
    if (held(id)) poll = host.timers.set(() => watch(id), DELIVERY_POLL_MS);
    else trial.statusDelivered();
  };
  return {
    receiver,
    topics: [topics.update, topics.updateChunk] as const,
    message(topic: string, payload: Uint8Array) {
      if (topic === topics.update) receiver.manifest(payload);
      else receiver.chunk(payload);
    },
    connected: () => receiver.connected(),
    /** `holds(id)` is true while the outbox still has the event. */
    watchDelivery(holds: (id: string) => boolean) {
      held = holds;
    },
    statusEmitted(id: string) {
      if (trial.pending && !poll) poll = host.timers.set(() => watch(id), 0);
    },
    close() {
      receiver.close();
      trial.close();
      if (poll) host.timers.clear(poll);
    },
  };
}
