// SPDX-License-Identifier: MIT
// The bridge's video endpoint: the live view as MJPEG (for Home Assistant's "MJPEG IP Camera" and browsers),
// the latest still, the live figures, and the stored clips. Only opened (authenticated) frames are ever written.
// Routes: GET /live/<id>.mjpeg, /live/<id>.jpg, /live/<id>.json, /live/<id> (a page), /clips/<id>.json,
// /clips/<id>/<date>/<file> (Range supported). Anything else is 404, other methods 405, no credentials 401, and
// an address that keeps sending wrong credentials 429 for a while (auth-throttle.ts).
// GET /pictures/<token>.jpg serves one stored snapshot to Home Assistant's image entity (ha.pictures = url), which
// cannot send Basic credentials: its 128-bit random token is the credential (docs/security.md). Any other token,
// or one whose picture retention removed, is 404.
import { createReadStream, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { Logger } from "../../modules/logger.js";
import { type AuthThrottle, createAuthThrottle } from "./auth-throttle.js";
import type { ClipStore } from "./clip-store.js";
import { BASIC_CHALLENGE } from "./http-auth.js";
import type { LiveHub, LiveViewer } from "./live-hub.js";
import { livePage } from "./live-page.js";
import { MJPEG_CONTENT_TYPE, mjpegPart } from "./mjpeg.js";

/** Bytes a viewer may have queued before it misses frames: about four 640x480 frames. */
export const MAX_BUFFERED_BYTES = 128 * 1024;
/** Viewers per device at once; more get 503. */
export const MAX_VIEWERS = 16;

export interface VideoHandlerOptions {
  /** The device ids served; any other id is 404 (and starts nothing). */
  deviceIds: readonly string[];
  hub: LiveHub;
  clips?: ClipStore;
  /** The clip store's directory, for serving its files. */
  clipsDir?: string;
  /** Whether a request may proceed, from its Authorization header (http-auth.ts). */
  authorize(authorization: string | undefined): boolean;
  log: Logger;
  maxBufferedBytes?: number;
  /** Wrong-password lockout per remote address; default one on `now`. */
  throttle?: AuthThrottle;
  /** Clock for the default throttle, ms. */
  now?: () => number;
  /** The snapshot store's token lookup (snapshot-store.ts `pictureFor`); without it /pictures/ is 404. */
  pictures?: { pictureFor(token: string): Uint8Array | undefined };
}

const PICTURE_PATH = /^\/pictures\/([0-9a-f]{32})\.jpg$/;

/** One stored picture by its token; no Basic credentials (the token is the credential). */
function servePicture(o: VideoHandlerOptions, path: string, req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== "GET" && req.method !== "HEAD") return text(res, 405, "only GET", { Allow: "GET, HEAD" });
  const m = PICTURE_PATH.exec(path);
  const jpeg = m ? o.pictures?.pictureFor(m[1]) : undefined; // undefined too once retention removed it
  if (!jpeg) return text(res, 404, "no such picture (it may have been pruned)");
  res.writeHead(200, {
    "Content-Type": "image/jpeg",
    "Content-Length": String(jpeg.length),
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : jpeg);
}

const CLIP_FILE =
  /^([A-Za-z0-9_-]+)\/(\d{4}-\d{2}-\d{2})\/(\d{6}\.\d{3}-[a-z]+(?:-seq\d+)?-[0-9a-f]{1,16})(\.mp4|\.json|\.frames\/\d{6}\.jpg)$/;
const TYPES: Record<string, string> = { ".mp4": "video/mp4", ".json": "application/json" };

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store", ...headers });
  res.end(`${body}\n`);
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

/** Streams one device's live view to `res` until the client leaves. */
function streamLive(o: VideoHandlerOptions, deviceId: string, req: IncomingMessage, res: ServerResponse): void {
  if (o.hub.viewers(deviceId) >= MAX_VIEWERS) return text(res, 503, `at most ${MAX_VIEWERS} viewers per doorbell`);
  const max = o.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  res.writeHead(200, {
    "Content-Type": MJPEG_CONTENT_TYPE,
    "Cache-Control": "no-store",
    Pragma: "no-cache",
    "X-Content-Type-Options": "nosniff",
  });
  res.flushHeaders();
  const viewer: LiveViewer = {
    offer(frame) {
      if (res.destroyed) return false;
      const part = mjpegPart(frame);
      if (res.writableLength > 0 && res.writableLength + part.length > max) return false;
      res.write(part);
      return true;
    },
  };
  const leave = o.hub.join(deviceId, viewer);
  o.log.info("live viewer joined", { device: deviceId, viewers: o.hub.viewers(deviceId) });
  let gone = false;
  const left = () => {
    if (gone) return;
    gone = true;
    leave();
    o.log.info("live viewer left", { device: deviceId, viewers: o.hub.viewers(deviceId) });
  };
  req.on("close", left);
  res.on("close", left);
  res.on("error", left);
}

/** Serves a stored clip file, with a single byte range when asked (browsers' <video> seeks with them). */
function serveClipFile(res: ServerResponse, path: string, ext: string, range: string | undefined): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return text(res, 404, "no such clip (it may have been pruned)");
  }
  const type = TYPES[ext] ?? "image/jpeg";
  const m = /^bytes=(\d*)-(\d*)$/.exec(range ?? "");
  if (range && m && (m[1] || m[2])) {
    const start = m[1] ? Number(m[1]) : Math.max(0, size - Number(m[2]));
    const end = m[1] && m[2] ? Math.min(Number(m[2]), size - 1) : size - 1;
    if (start >= size || start > end)
      return text(res, 416, "range not satisfiable", { "Content-Range": `bytes */${size}` });
    res.writeHead(206, {
      "Content-Type": type,
      "Content-Length": String(end - start + 1),
      "Content-Range": `bytes ${start}-${end}/${size}`,
      "Accept-Ranges": "bytes",
    });
    createReadStream(path, { start, end }).pipe(res);
    return;
  }
  res.writeHead(200, { "Content-Type": type, "Content-Length": String(size), "Accept-Ranges": "bytes" });
  createReadStream(path).pipe(res);
}

function routeLive(o: VideoHandlerOptions, rest: string, req: IncomingMessage, res: ServerResponse): void {
  const m = /^([A-Za-z0-9_-]{1,64})(\.mjpeg|\.jpg|\.json|)$/.exec(rest);
  if (!m || !o.deviceIds.includes(m[1])) return text(res, 404, "no such doorbell");
  const [, id, ext] = m;
  if (ext === ".mjpeg") return streamLive(o, id, req, res);
  if (ext === ".json") return json(res, { device: id, ...o.hub.stats(id) });
  if (ext === "") {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    return void res.end(livePage(id));
  }
  const latest = o.hub.latest(id);
  if (!latest) return text(res, 404, "no live frame yet: open the .mjpeg stream or press Start live view");
  res.writeHead(200, {
    "Content-Type": "image/jpeg",
    "Content-Length": String(latest.jpeg.length),
    "Cache-Control": "no-store",
    "X-Capture-Ms": String(latest.captureMs),
  });
  res.end(latest.jpeg);
}

function routeClips(o: VideoHandlerOptions, rest: string, req: IncomingMessage, res: ServerResponse): void {
  if (!o.clips || !o.clipsDir) return text(res, 404, "clips are not stored by this bridge");
  const list = /^([A-Za-z0-9_-]{1,64})\.json$/.exec(rest);
  if (list) {
    if (!o.deviceIds.includes(list[1])) return text(res, 404, "no such doorbell");
    return json(res, o.clips.list(list[1]));
  }
  const m = CLIP_FILE.exec(rest);
  if (!m || !o.deviceIds.includes(m[1])) return text(res, 404, "no such clip");
  const ext = m[4].startsWith(".frames") ? ".jpg" : m[4];
  serveClipFile(res, join(o.clipsDir, ...rest.split("/")), ext, req.headers.range);
}

/** The request handler; mount it on an HTTP(S) server (video-server.ts) or under another server's routes. */
export function createVideoHandler(o: VideoHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const throttle = o.throttle ?? createAuthThrottle({ now: o.now });
  return (req, res) => {
    // The picture links carry their own credential and are never the subject of password guessing.
    if ((req.url ?? "").startsWith("/pictures/")) return servePicture(o, (req.url ?? "").split("?")[0], req, res);
    const address = req.socket.remoteAddress ?? "";
    const waitMs = throttle.retryAfterMs(address);
    // Not logged each time: a locked-out address could otherwise flood the log.
    if (waitMs > 0)
      return text(res, 429, "too many wrong passwords; try again later", {
        "Retry-After": String(Math.ceil(waitMs / 1000)),
      });
    const authorization = req.headers.authorization;
    if (!o.authorize(authorization)) {
      // A request without credentials is a browser's first try (it then asks the user): not a guess.
      if (authorization !== undefined) {
        throttle.failed(address);
        const lockedMs = throttle.retryAfterMs(address);
        o.log.warn("video request refused: wrong credentials", { address, ...(lockedMs ? { lockedMs } : {}) });
      }
      return text(res, 401, "credentials required", { "WWW-Authenticate": BASIC_CHALLENGE });
    }
    if (authorization !== undefined) throttle.succeeded(address);
    if (req.method !== "GET" && req.method !== "HEAD") return text(res, 405, "only GET", { Allow: "GET, HEAD" });
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return text(res, 400, "bad path");
    }
    if (req.method === "HEAD" && path.endsWith(".mjpeg")) {
      res.writeHead(200, { "Content-Type": MJPEG_CONTENT_TYPE, "Cache-Control": "no-store" });
      return void res.end();
    }
    if (path.startsWith("/live/")) return routeLive(o, path.slice(6), req, res);
    if (path.startsWith("/clips/")) return routeClips(o, path.slice(7), req, res);
    if (path === "/") return json(res, { live: o.deviceIds.map((id) => `/live/${id}.mjpeg`) });
    text(res, 404, "not found: try /live/<doorbell id>.mjpeg");
  };
}
