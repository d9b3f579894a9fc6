// SPDX-License-Identifier: MIT
// Listens for the video endpoint (video-http.ts): plain HTTP on loopback, HTTPS when a certificate is given.
// Beyond loopback without TLS, Basic credentials cross the network in the clear: the start log says so.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../modules/logger.js";
import { isLoopbackHost } from "./http-auth.js";

export interface VideoServerOptions {
  host: string;
  /** 0 for any free port. */
  port: number;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
  handler(req: IncomingMessage, res: ServerResponse): void;
  log: Logger;
}

export interface VideoServer {
  /** The base URL, e.g. http://127.0.0.1:8081 */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends every open stream. */
  close(): Promise<void>;
}

/** Resolves once listening; rejects (with the host and port) when the address cannot be bound. */
export function startVideoServer(o: VideoServerOptions): Promise<VideoServer> {
  const server: Server = o.tls ? createHttpsServer({ cert: o.tls.cert, key: o.tls.key }) : createHttpServer();
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.on("request", o.handler);
  server.on("clientError", (_error, socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(new Error(`video endpoint cannot listen on ${o.host}:${o.port} (${error.code ?? error.message})`)),
    );
    server.listen(o.port, o.host, () => {
      const port = (server.address() as AddressInfo).port;
      const host = o.host.includes(":") ? `[${o.host}]` : o.host;
      const url = `${o.tls ? "https" : "http"}://${host}:${port}`;
      if (!o.tls && !isLoopbackHost(o.host))
        o.log.warn(
          "video endpoint beyond loopback without TLS: passwords cross the network in the clear; " +
            "set video.tlsCert or put it behind a TLS proxy",
          { url },
        );
      o.log.info("video endpoint listening", { url });
      resolve({
        url,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
