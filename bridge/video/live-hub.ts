// SPDX-License-Identifier: MIT
// Fans each device's one live stream out to every viewer. A viewer whose buffer is full misses frames
// (counted), so a slow client never holds up the others; the hub keeps the latest frame per device for
// stills and measures what it hands out (frame rate, delay from capture).
import type { OpenedFrame } from "./opened-frame.js";

/** Delay and rate samples kept per device. */
export const STATS_WINDOW = 256;

export interface LiveViewer {
  /** Takes `frame` or drops it (its buffer is full); returns whether it took it. Must not block. */
  offer(frame: OpenedFrame): boolean;
}

export interface LiveStats {
  viewers: number;
  /** Frames handed to at least one viewer since the bridge started. */
  frames: number;
  /** Frames a viewer missed because its buffer was full, summed over viewers. */
  droppedForSlowViewers: number;
  /** Over the last STATS_WINDOW frames handed out; 0 with fewer than two. */
  fps: number;
  /** Capture (the device's clock) to hand-out (the bridge's clock), over the same window; undefined with none. */
  delayP50Ms?: number;
  delayP99Ms?: number;
  /** Capture time of the latest frame, Unix ms. */
  latestCaptureMs?: number;
}

export interface LiveHubOptions {
  /** The bridge's wall clock, Unix ms. */
  now?: () => number;
  /** Called with the new count each time a viewer joins or leaves. */
  onViewers?(deviceId: string, count: number): void;
}

export interface LiveHub {
  /** A live frame, as the opener passed it. */
  frame(frame: OpenedFrame): void;
  /** Adds a viewer of `deviceId`; call the returned function once when it leaves. */
  join(deviceId: string, viewer: LiveViewer): () => void;
  /** The latest live frame of `deviceId`, if any arrived since the bridge started. */
  latest(deviceId: string): OpenedFrame | undefined;
  viewers(deviceId: string): number;
  stats(deviceId: string): LiveStats;
}

interface DeviceLive {
  viewers: Set<LiveViewer>;
  latest?: OpenedFrame;
  frames: number;
  dropped: number;
  /** Hand-out times and delays of the last STATS_WINDOW frames handed out (ring buffers). */
  outAtMs: number[];
  delaysMs: number[];
}

/** The p-th percentile (0..1) by nearest rank of unsorted `values`. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export function createLiveHub(o: LiveHubOptions = {}): LiveHub {
  const now = o.now ?? Date.now;
  const devices = new Map<string, DeviceLive>();
  const entry = (deviceId: string): DeviceLive => {
    let d = devices.get(deviceId);
    if (!d) devices.set(deviceId, (d = { viewers: new Set(), frames: 0, dropped: 0, outAtMs: [], delaysMs: [] }));
    return d;
  };
  const push = (list: number[], value: number) => {
    list.push(value);
    if (list.length > STATS_WINDOW) list.shift();
  };

  return {
    frame(frame) {
      if (frame.kind !== "live") return;
      const d = entry(frame.deviceId);
      d.latest = frame;
      let taken = 0;
      for (const viewer of d.viewers) {
        if (viewer.offer(frame)) taken++;
        else d.dropped++;
      }
      if (!taken) return;
      const at = now();
      d.frames++;
      push(d.outAtMs, at);
      push(d.delaysMs, at - frame.captureMs);
    },
    join(deviceId, viewer) {
      const d = entry(deviceId);
      d.viewers.add(viewer);
      o.onViewers?.(deviceId, d.viewers.size);
      let left = false;
      return () => {
        if (left) return;
        left = true;
        d.viewers.delete(viewer);
        o.onViewers?.(deviceId, d.viewers.size);
      };
    },
    latest: (deviceId) => devices.get(deviceId)?.latest,
    viewers: (deviceId) => devices.get(deviceId)?.viewers.size ?? 0,
    stats(deviceId) {
      const d = entry(deviceId);
      const n = d.outAtMs.length;
      const spanMs = n > 1 ? d.outAtMs[n - 1] - d.outAtMs[0] : 0;
      return {
        viewers: d.viewers.size,
        frames: d.frames,
        droppedForSlowViewers: d.dropped,
        fps: spanMs > 0 ? Math.round(((n - 1) * 10_000) / spanMs) / 10 : 0,
        delayP50Ms: percentile(d.delaysMs, 0.5),
        delayP99Ms: percentile(d.delaysMs, 0.99),
        latestCaptureMs: d.latest?.captureMs,
      };
    },
  };
}
