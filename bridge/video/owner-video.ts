// SPDX-License-Identifier: MIT
// The owner's video, assembled: the FrameSink the stream opener feeds (live frames to the viewers' hub and
// Home Assistant's camera feed, clip frames to the clip store), the live-view demand that sends the device its
// start, renew and stop, and the HTTP handler. bridge/cli/bridge-main.ts and the simulator build it.
import type { LiveViewRequest } from "../../modules/commands.js";
import type { Logger } from "../../modules/logger.js";
import { type BridgeTimers, NODE_TIMERS } from "../ha-sync.js";
import { type ClipStore, type ClipStoreOptions, createClipStore } from "./clip-store.js";
import { createLiveDemand, type LiveDemand } from "./live-demand.js";
import { createLiveHub, type LiveHub } from "./live-hub.js";
import type { FrameSink } from "./opened-frame.js";
import { createVideoHandler } from "./video-http.js";

export interface OwnerVideoOptions {
  deviceIds: readonly string[];
  /** Seals and sends a live-view command (the bridge's sendCommand). */
  sendLiveView(deviceId: string, live: LiveViewRequest): void;
  /** Seconds each start asks for (1..300). */
  liveSeconds?: number;
  /** Where and how long clips are kept; without it clips are not stored. */
  clips?: Omit<ClipStoreOptions, "log" | "now" | "timers">;
  /** Each live frame, e.g. for the MQTT camera feed (camera-feed.ts). */
  onLiveFrame?(frame: import("./opened-frame.js").OpenedFrame): void;
  /** Whether a request may proceed (http-auth.ts); default: all. */
  authorize?(authorization: string | undefined): boolean;
  log: Logger;
  now?: () => number;
  timers?: BridgeTimers;
  /** Viewer buffer bound, bytes (video-http.ts MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
  /** Serves stored snapshots by token at /pictures/<token>.jpg (snapshot-store.ts); without it, 404. */
  pictures?: { pictureFor(token: string): Uint8Array | undefined };
}

export interface OwnerVideo {
  /** Give this to the stream opener: it receives only authenticated frames. */
  readonly sink: FrameSink;
  readonly hub: LiveHub;
  readonly demand: LiveDemand;
  readonly clips?: ClipStore;
  readonly handler: ReturnType<typeof createVideoHandler>;
  close(): Promise<void>;
}

export function createOwnerVideo(o: OwnerVideoOptions): OwnerVideo {
  const log = o.log;
  const demand = createLiveDemand({
    send: (deviceId, live) => {
      try {
        o.sendLiveView(deviceId, live);
        log.info("live view command sent", { device: deviceId, action: live.action });
      } catch (error) {
        log.error("live view command not sent", { device: deviceId, reason: (error as Error).message });
      }
    },
    seconds: o.liveSeconds,
    now: o.now,
    timers: o.timers ?? NODE_TIMERS,
  });
  const hub = createLiveHub({ now: o.now, onViewers: (deviceId, count) => demand.viewers(deviceId, count) });
  const clips = o.clips ? createClipStore({ ...o.clips, log: log.child("clips"), now: o.now }) : undefined;
  const sink: FrameSink = {
    frame(frame) {
      if (frame.kind === "live") {
        hub.frame(frame);
        o.onLiveFrame?.(frame);
      } else clips?.frame(frame);
    },
    streamEnded(summary) {
      if (summary.kind === "live") {
        demand.streamEnded(summary.deviceId);
        log.info("live stream ended", {
          device: summary.deviceId,
          frames: summary.frames,
          gaps: summary.gaps,
          complete: summary.complete,
        });
      } else clips?.streamEnded(summary);
    },
  };
  const handler = createVideoHandler({
    deviceIds: o.deviceIds,
    hub,
    clips,
    clipsDir: o.clips?.dir,
    authorize: o.authorize ?? (() => true),
    log,
    maxBufferedBytes: o.maxBufferedBytes,
    now: o.now,
    pictures: o.pictures,
  });
  return {
    sink,
    hub,
    demand,
    clips,
    handler,
    async close() {
      demand.close();
      await clips?.close();
    },
  };
}
