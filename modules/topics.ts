// SPDX-License-Identifier: MIT
// Every MQTT topic the device uses, built in one place. Device topics carry ciphertext only,
// except `status`, which is the plain `online`/`offline` availability flag.

export interface DeviceTopics {
  /** Retained `online`; the last will sets `offline`. */
  status: string;
  /** Sealed events, QoS 1, never retained. */
  event: string;
  /** Sealed commands from the owner. */
  command: string;
  /** Delivery confirmations from the owner's bridge (envelope/confirmation.ts): only the bridges may write it. */
  ack: string;
  /** Sealed video streams (clips and live view, docs/protocol.md): open messages and frames. */
  video: string;
  /** The owner's sealed and signed update manifest (docs/ota.md), retained by the bridge. */
  update: string;
  /** Update chunks from the bridge: public image bytes, each authenticated by the manifest's hash chain. */
  updateChunk: string;
  /** The device's plain update progress: which chunk it wants next, or how the update ended (no secret). */
  updateProgress: string;
}

export function deviceTopics(root: string, deviceId: string): DeviceTopics {
  const base = `${root}/${deviceId}`;
  return {
    status: `${base}/status`,
    event: `${base}/sealed/event`,
    command: `${base}/sealed/cmd`,
    ack: `${base}/sealed/ack`,
    video: `${base}/sealed/video`,
    update: `${base}/sealed/update`,
    updateChunk: `${base}/update/chunk`,
    updateProgress: `${base}/update/progress`,
  };
}
