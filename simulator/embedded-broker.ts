// SPDX-License-Identifier: MIT
// The simulator's in-process MQTT broker (aedes) on loopback. Real deployments use the owner's Mosquitto.
// With `credentials` it refuses every CONNECT without that user name and password (MQTT 3.1.1 §3.2.2.3,
// return code 4 for a bad one, 5 for none).
import { Aedes, type AuthenticateError } from "aedes";
import { type BrokerCredentials, credentialsMatch } from "./broker-credentials.js";
import { createServer, type Server, type Socket } from "node:net";

export interface EmbeddedBroker {
  broker: Aedes;
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Listens on `host:port`; port 0 picks a free one, and a busy preferred port falls back to a free one. */
export async function startEmbeddedBroker(options: {
  port: number;
  host?: string;
  fallbackWhenBusy?: boolean;
  /** An aedes persistence to reuse: sessions, queued messages and retained ones survive a restart. */
  persistence?: unknown;
  /** Required of every client when given. */
  credentials?: BrokerCredentials;
}): Promise<EmbeddedBroker> {
  const host = options.host ?? "127.0.0.1";
  const broker = await Aedes.createBroker(options.persistence ? { persistence: options.persistence } : {});
  const expected = options.credentials;
  if (expected)
    broker.authenticate = (_client, username, password, done) => {
      if (credentialsMatch(expected, username, password)) return done(null, true);
      const returnCode = username === undefined ? 5 : 4; // not authorized : bad user name or password
      done(Object.assign(new Error("bad user name or password"), { returnCode }) as AuthenticateError, false);
    };
  const server = createServer(broker.handle);
  // Every accepted socket, so that closing ends them all: one that has not sent its CONNECT yet is no aedes client,
  // and would keep `server.close` waiting forever (a reconnecting device in the middle of a restart).
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  let port: number;
  try {
    port = await listen(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || options.fallbackWhenBusy === false) throw error;
    port = await listen(0);
  }
  return {
    broker,
    port,
    host,
    close: () => closeAll(server, broker, sockets),
  };
}

function closeAll(server: Server, broker: Aedes, sockets: Set<Socket>): Promise<void> {
  // aedes disconnects its clients first (each gets its will); then any socket still open, such as one accepted
  // before its CONNECT arrived, is destroyed, or it would keep the server open.
  return new Promise((resolve) =>
    broker.close(() => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  );
}
