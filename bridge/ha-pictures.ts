// SPDX-License-Identifier: MIT
// What the bridge puts on a device's snapshot topic for Home Assistant's image entity (ha.pictures):
// - `url` (the default): a link to the picture on the bridge's video endpoint, /pictures/<token>.jpg with the
//   store's fresh 128-bit token; the picture itself never reaches the broker. Without a snapshot store or a
//   link base (the simulator), nothing is published.
// - `mqtt`: the opened JPEG bytes, retained: a plaintext picture on the broker (docs/security.md).
import type { SnapshotStore, SavedSnapshot } from "./snapshot-store.js";

export type PictureMode = "url" | "mqtt";

export interface PictureOptions {
  mode: PictureMode;
  /** url mode: the link Home Assistant fetches for a token, e.g. http://127.0.0.1:8081/pictures/<token>.jpg. */
  linkFor?(token: string): string;
}

export interface HaPictures {
  readonly mode: PictureMode;
  /** The snapshot topic's payload for a picture just opened (and saved as `saved`), or undefined for none. */
  opened(jpeg: Uint8Array, saved: SavedSnapshot | undefined): Uint8Array | string | undefined;
  /**
   * url mode, for a device with no picture since the bridge started: a fresh link to its newest stored picture,
   * or "" (an empty retained message, which clears the broker's retained copy, e.g. bytes from mqtt mode).
   * mqtt mode, or nothing to link: undefined (publish nothing).
   */
  restored(deviceId: string): string | undefined;
}

/** Addresses that mean "every interface", which a link cannot name, and the loopback address each reaches. */
const ANY_ADDRESS: Record<string, string> = { "0.0.0.0": "127.0.0.1", "::": "::1", "[::]": "::1" };

/**
 * The host in picture links: `ha.pictureHost`, else `video.host`; for an any-address `video.host` (0.0.0.0, ::),
 * its loopback address, which reaches the bridge only from its own machine: `guessed` says to warn.
 */
export function pictureLinkHost(videoHost: string, pictureHost: string): { host: string; guessed: boolean } {
  if (pictureHost) return { host: pictureHost, guessed: false };
  const loopback = ANY_ADDRESS[videoHost];
  return loopback ? { host: loopback, guessed: true } : { host: videoHost, guessed: false };
}

/** The link base for `/pictures/<token>.jpg`: the video endpoint as Home Assistant reaches it. */
export function pictureLinkBase(o: { host: string; port: number; tls: boolean }): string {
  const host = o.host.includes(":") && !o.host.startsWith("[") ? `[${o.host}]` : o.host;
  return `${o.tls ? "https" : "http"}://${host}:${o.port}/pictures/`;
}

export function createHaPictures(o: { pictures?: PictureOptions; snapshots?: SnapshotStore }): HaPictures {
  const mode = o.pictures?.mode ?? "url";
  const linkFor = o.pictures?.linkFor;
  return {
    mode,
    opened(jpeg, saved) {
      if (mode === "mqtt") return jpeg;
      return saved && linkFor ? linkFor(saved.token) : undefined;
    },
    restored(deviceId) {
      if (mode === "mqtt" || !linkFor || !o.snapshots) return undefined;
      const newest = o.snapshots.newest(deviceId);
      return newest ? linkFor(newest.token) : "";
    },
  };
}
