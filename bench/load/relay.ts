// SPDX-License-Identifier: MIT
// Starts the bridge bench's relay (relay-worker.ts) in its own process, with what the bridge would publish for each
// sealed event: the link to its picture and its ring state for Home Assistant (haUpdateFor, as the bridge makes them
// with ha.pictures: url), and its confirmation.
import { fork } from "node:child_process";
import { haTopics } from "../../bridge/ha-topics.js";
import { haUpdateFor, type OpenedEvent } from "../../bridge/ha-states.js";
import { toHex } from "../../modules/bytes.js";
import { confirmationMac, encodeConfirmations } from "../../modules/envelope/confirmation.js";
import { deviceTopics } from "../../modules/topics.js";
import type { CryptoPort } from "../../modules/ports.js";
import type { ConfirmableMessage } from "./raw-publisher.js";
import type { RelayWorkerConfig } from "./relay-worker.js";

/** A sealed event with the header and picture sealed in it, known to the bench that sealed it. */
export interface RelayedEvent extends ConfirmableMessage {
  header: OpenedEvent;
  jpeg: Uint8Array;
}

export async function startRelay(o: {
  url: string;
  topicRoot: string;
  events: RelayedEvent[];
  crypto: Pick<CryptoPort, "hmacSha256">;
}): Promise<{ stop(): Promise<{ relayed: number; unknown: number; cpuMs: number }> }> {
  const replies: RelayWorkerConfig["replies"] = {};
  for (const e of o.events) {
    // The picture's link as the bridge makes it (ha.pictures: url): the same length as a real token's.
    const link = `http://127.0.0.1:8081/pictures/${toHex(o.crypto.hmacSha256(e.confirmKey, e.payload)).slice(0, 32)}.jpg`;
    const { publishes } = haUpdateFor(
      haTopics(o.topicRoot, e.device),
      e.header,
      e.jpeg,
      Date.now(),
      {
        replaysRefused: 0,
      },
      link,
    );
    const mac = confirmationMac(o.crypto, e.confirmKey, e.device, e.seq);
    replies[`${e.topic} ${e.seq}`] = {
      ha: publishes.map((p) => ({ topic: p.topic, payload: String(p.payload), qos: p.qos, retain: p.retain })),
      ackTopic: deviceTopics(o.topicRoot, e.device).ack,
      ackPayloadHex: toHex(encodeConfirmations([{ seq: e.seq, mac }])),
    };
  }
  const child = fork(new URL("./relay-worker.ts", import.meta.url).pathname, [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const config: RelayWorkerConfig = { url: o.url, filter: `${o.topicRoot}/+/sealed/event`, replies };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("bench relay did not start in 30 s")), 30_000);
    child.once("message", () => (clearTimeout(timer), resolve()));
    child.once("exit", (code) => reject(new Error(`bench relay exited with ${code}`)));
    child.send(config);
  });
  return {
    stop: () =>
      new Promise((resolve) => {
        child.on("message", (m: { stats?: { relayed: number; unknown: number; cpuMs: number } }) => {
          if (m.stats) resolve(m.stats);
        });
        child.send({ stop: true });
      }),
  };
}
