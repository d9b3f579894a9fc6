// SPDX-License-Identifier: MIT
// The bridge's counters, one object shared by its parts and exposed as `bridge.stats`.

export interface BridgeStats {
  opened: number;
  /**
   * Refusals by reason code. `replayed` counts only envelopes older than the last accepted one (a replay,
   * logged as a warning); an exact redelivery of the last accepted one is counted in `redelivered`.
   */
  refused: Record<string, number>;
  /** QoS 1 redeliveries of the last accepted envelope (same sequence number): expected and harmless. */
  redelivered: number;
  /** Authentic events whose id was seen before. */
  duplicates: number;
  commands: number;
  /** Home Assistant snapshot presses refused by the rate limit (command-sender.ts). */
  rateLimited: number;
  discoveryPublished: number;
}

export function createBridgeStats(): BridgeStats {
  return { opened: 0, refused: {}, redelivered: 0, duplicates: 0, commands: 0, rateLimited: 0, discoveryPublished: 0 };
}
