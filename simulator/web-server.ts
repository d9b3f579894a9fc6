// SPDX-License-Identifier: MIT
// The simulator's page: static files from simulator/web/ (no build step), live updates as Server-Sent
// Events, and a small JSON API for the button, the scene and the faults. It answers only requests whose Host
// header is on its allow-list (a guard against DNS rebinding): loopback, the address it listens on (every
// address of this machine when it listens on all), and the names given; actions only as JSON POSTs.
import { readFileSync, readdirSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { networkInterfaces } from "node:os";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Simulation } from "./simulation.js";
import type { SimEvents } from "./sim-records.js";
import { handleUpdateUpload } from "./web-update.js";
import { handleAction } from "./web-actions.js";

export interface WebServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface WebServerOptions {
  sim: Simulation;
  host: string;
  port: number;
  /** A busy `port` falls back to a free one. */
  fallbackWhenBusy: boolean;
  /** More names the page answers to (`--allow-host`), without a port. */
  allowHosts?: string[];
}

const ALL_ADDRESSES = new Set(["0.0.0.0", "::"]);

/** `host:port` values a request may name: loopback, `host` (or this machine's addresses), and `names`. */
export function allowedHostHeaders(host: string, port: number, names: readonly string[]): Set<string> {
  const bracket = (a: string) => (a.includes(":") ? `[${a}]` : a);
  const addresses = ALL_ADDRESSES.has(host)
    ? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address.replace(/%.*$/, "")))
    : [host];
  const all = ["127.0.0.1", "localhost", "[::1]", ...addresses.map(bracket), ...names].map((n) => n.toLowerCase());
  return new Set(all.map((n) => `${n}:${port}`));
}

const WEB_DIR = fileURLToPath(new URL("./web/", import.meta.url));
const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
const STREAMED: (keyof SimEvents)[] = ["log", "traffic", "event", "frame", "status", "chime"];

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const files = new Set(readdirSync(WEB_DIR));
  const streams = new Set<ServerResponse>();
  let allowedHosts = new Set<string>();

  const unsubscribe = STREAMED.map((kind) =>
    o.sim.bus.on(kind, (value) => {
      const message = `event: ${kind}\ndata: ${JSON.stringify(value)}\n\n`;
      for (const res of streams) res.write(message);
    }),
  );
  const keepAlive = setInterval(() => {
    for (const res of streams) res.write(": keep-alive\n\n");
  }, 15_000);

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: Error) => send(res, 500, { error: error.message }));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase()))
      return send(res, 421, { error: "unexpected Host header; open the address the simulator printed" });
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "POST" && path === "/api/update") {
      const result = await handleUpdateUpload(o.sim, req, new URL(req.url ?? "/", "http://x"));
      return send(res, result.status, result.body);
    }
    if (req.method === "POST" && path.startsWith("/api/")) {
      if (!String(req.headers["content-type"]).startsWith("application/json"))
        return send(res, 415, { error: "send JSON (Content-Type: application/json)" });
      const body = await readJson(req);
      const result = await handleAction(o.sim, path.slice(5), body);
      return send(res, result.status, result.body);
    }
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "method not allowed" });
    if (path === "/api/stream") return openStream(req, res);
    if (path.startsWith("/owner/")) return serveOwnerVideo(o.sim, req, res);
    if (path === "/api/state") return send(res, 200, { status: o.sim.status(), ...o.sim.history() });
    let m = /^\/api\/camera\/(\d+)\.jpg$/.exec(path);
    if (m) return sendJpeg(res, o.sim.frame(Number(m[1])));
    m = /^\/api\/snapshots\/([0-9a-f]{16})\.jpg$/.exec(path);
    if (m) return sendJpeg(res, o.sim.snapshot(m[1]), "private, max-age=3600");
    const name = path === "/" ? "index.html" : path.slice(1);
    if (!files.has(name)) return send(res, 404, { error: "not found" });
    res.writeHead(200, {
      "content-type": TYPES[extname(name)] ?? "application/octet-stream",
      "cache-control": "no-cache",
    });
    res.end(readFileSync(join(WEB_DIR, name)));
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ status: o.sim.status(), ...o.sim.history() })}\n\n`);
    streams.add(res);
    req.on("close", () => streams.delete(res));
  }

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, o.host, () => {
        server.off("error", reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  let port: number;
  try {
    port = await listen(o.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || !o.fallbackWhenBusy) throw error;
    port = await listen(0);
  }
  const shownHost = ALL_ADDRESSES.has(o.host) ? "127.0.0.1" : o.host.includes(":") ? `[${o.host}]` : o.host;
  allowedHosts = allowedHostHeaders(o.host, port, o.allowHosts ?? []);

  return {
    port,
    url: `http://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(keepAlive);
        unsubscribe.forEach((off) => off());
        for (const res of streams) res.end();
        streams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The owner's bridge's video endpoint (bridge/video/video-http.ts) under /owner/: what the owner would see. */
function serveOwnerVideo(sim: Simulation, req: IncomingMessage, res: ServerResponse): void {
  const video = sim.ownerVideo();
  if (!video) return send(res, 503, { error: "the owner's side is not running" });
  req.url = (req.url ?? "/").slice("/owner".length);
  video.handler(req, res);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

function sendJpeg(res: ServerResponse, jpeg: Uint8Array | undefined, cache = "no-store"): void {
  if (!jpeg) return send(res, 404, { error: "no such image (frames are kept for a second or two)" });
  res.writeHead(200, { "content-type": "image/jpeg", "content-length": jpeg.length, "cache-control": cache });
  res.end(jpeg);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = "";
  for await (const chunk of req) {
    text += chunk;
    if (text.length > 10_000) throw new Error("request body too large");
  }
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
