// SPDX-License-Identifier: MIT
// The bridge's counters, one object shared by its parts and exposed as `bridge.stats`.

export interface BridgeStats {
  opened: number;
  /** Refusals by reason code (`replayed` is a QoS 1 redelivery, expected and harmless). */
  refused: Record<string, number>;
  /** Authentic events whose id was seen before. */
  duplicates: number;
  commands: number;
  discoveryPublished: number;
}

export function createBridgeStats(): BridgeStats {
  return { opened: 0, refused: {}, duplicates: 0, commands: 0, discoveryPublished: 0 };
}
