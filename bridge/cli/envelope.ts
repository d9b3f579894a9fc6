// SPDX-License-Identifier: MIT
// `doorbell envelope seal | open | inspect`: what a doorbell sends, sealed, opened or taken apart by hand,
// for makers debugging a device and for interoperability with other HPKE implementations.
import { readFileSync, writeFileSync } from "node:fs";
import { fromUtf8, toHex } from "../../modules/bytes.js";
import { envelopeAad, envelopeInfo, senderKeyId, topicTag } from "../../modules/envelope/binding.js";
import { readEnvelopeHeader } from "../../modules/envelope/layout.js";
import { openEnvelope } from "../../modules/envelope/open-envelope.js";
import { REJECT_REASON_TEXT } from "../../modules/envelope/reasons.js";
import { sealEnvelope } from "../../modules/envelope/seal-envelope.js";
import { createNodeCrypto } from "../../hosts/node/crypto.js";
import { readPrivateKey, readPublicKey } from "../key-files.js";
import { parseFlags, UsageError, wantsHelp } from "./args.js";

const SEAL = `usage: doorbell envelope seal --device-key <file> --owner-public <hex|file> --topic <t> --event <json>
                              [--jpeg <file>] [--seq <n>] [--device-id <id>]
  Seals an event as the device would and writes the envelope bytes to stdout.
  --event is the event header JSON (or @file); --seq defaults to 1; --device-id defaults to the topic's
  second level (doorbell/<id>/sealed/event).`;
const OPEN = `usage: doorbell envelope open --owner-key <file> --device-public <hex|file> --topic <t>
                              [--jpeg-out <file>] [--last-seq <n>] [--device-id <id>]
  Reads an envelope on stdin, opens it with the owner's key and prints the event JSON.
  Exit 1 with the reason when it is refused (tampered, wrong topic, wrong sender, replayed...).`;
const INSPECT = `usage: doorbell envelope inspect --topic <t> [--device-public <hex|file>] [--device-id <id>]
  Reads an envelope on stdin and prints its fields as JSON (byte fields in hex) without decrypting.`;

function readStdin(): Uint8Array {
  return new Uint8Array(readFileSync(0));
}

function deviceIdOf(flags: Record<string, string | boolean>): string {
  if (typeof flags["device-id"] === "string") return flags["device-id"];
  const parts = String(flags.topic).split("/");
  if (parts.length < 2 || !parts[1])
    throw new UsageError(`--topic ${String(flags.topic)}: cannot take the device id from it; pass --device-id`);
  return parts[1];
}

function seqFlag(value: string | boolean | undefined, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`--${name} ${String(value)}: expected a non-negative integer`);
  return n;
}

function seal(argv: string[]): number {
  const flags = parseFlags(
    argv,
    {
      values: ["device-key", "owner-public", "topic", "event", "jpeg", "seq", "device-id"],
      required: ["device-key", "owner-public", "topic", "event"],
    },
    SEAL,
  );
  const eventText = String(flags.event).startsWith("@")
    ? readFileSync(String(flags.event).slice(1), "utf8")
    : String(flags.event);
  let header: unknown;
  try {
    header = JSON.parse(eventText);
  } catch (error) {
    throw new UsageError(`--event: not JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    throw new UsageError("--event: expected a JSON object");
  const bytes = sealEnvelope({
    crypto: createNodeCrypto(),
    senderPrivateKey: readPrivateKey(String(flags["device-key"])),
    recipientPublicKey: readPublicKey(String(flags["owner-public"]), "--owner-public"),
    deviceId: deviceIdOf(flags),
    topic: String(flags.topic),
    seq: seqFlag(flags.seq, "seq", 1)!,
    header,
    jpeg: flags.jpeg ? new Uint8Array(readFileSync(String(flags.jpeg))) : undefined,
  });
  process.stdout.write(bytes);
  return 0;
}

function open(argv: string[]): number {
  const flags = parseFlags(
    argv,
    {
      values: ["owner-key", "device-public", "topic", "jpeg-out", "last-seq", "device-id"],
      required: ["owner-key", "device-public", "topic"],
    },
    OPEN,
  );
  const r = openEnvelope({
    crypto: createNodeCrypto(),
    recipientPrivateKey: readPrivateKey(String(flags["owner-key"])),
    senderPublicKey: readPublicKey(String(flags["device-public"]), "--device-public"),
    deviceId: deviceIdOf(flags),
    topic: String(flags.topic),
    lastAcceptedSeq: seqFlag(flags["last-seq"], "last-seq"),
    bytes: readStdin(),
  });
  if (!r.ok) {
    console.error(`refused: ${r.reason}: ${REJECT_REASON_TEXT[r.reason]}`);
    return 1;
  }
  if (r.jpeg && flags["jpeg-out"]) writeFileSync(String(flags["jpeg-out"]), r.jpeg);
  console.log(JSON.stringify({ ...r.header, $seq: r.seq, $jpegBytes: r.jpeg?.length ?? 0 }, null, 2));
  return 0;
}

function inspect(argv: string[]): number {
  const flags = parseFlags(argv, { values: ["topic", "device-public", "device-id"], required: ["topic"] }, INSPECT);
  const read = readEnvelopeHeader(readStdin());
  if (!read.ok) {
    console.error(`not a well-formed envelope: ${read.reason}: ${REJECT_REASON_TEXT[read.reason]}`);
    return 1;
  }
  const h = read.header;
  const crypto = createNodeCrypto();
  const topic = String(flags.topic);
  const deviceId = deviceIdOf(flags);
  const out: Record<string, unknown> = {
    version: h.version,
    mode: 2, // mode_auth, RFC 9180 §5
    kem_id: 0x0020,
    kdf_id: 0x0001,
    aead_id: 0x0003,
    seq: h.seq,
    total_length: h.totalLength,
    info: toHex(envelopeInfo(deviceId)),
    info_text: fromUtf8(envelopeInfo(deviceId)),
    aad: toHex(envelopeAad(h.bound, topic, deviceId)),
    sender_key_id: toHex(h.senderKeyId),
    topic_tag: toHex(h.topicTag),
    topic_matches: toHex(h.topicTag) === toHex(topicTag(crypto, topic)),
    enc: toHex(h.enc),
    ciphertext: toHex(h.ciphertext),
    ciphertext_length: h.ciphertext.length,
  };
  if (flags["device-public"]) {
    out.sender_matches =
      toHex(h.senderKeyId) ===
      toHex(senderKeyId(crypto, readPublicKey(String(flags["device-public"]), "--device-public")));
  }
  console.log(JSON.stringify(out, null, 2));
  return 0;
}

export function envelopeCommand(argv: string[]): number {
  const [sub, ...rest] = argv;
  const table: Record<string, [string, (a: string[]) => number]> = {
    seal: [SEAL, seal],
    open: [OPEN, open],
    inspect: [INSPECT, inspect],
  };
  const entry = table[sub];
  if (!entry) throw new UsageError([SEAL, OPEN, INSPECT].join("\n"));
  if (wantsHelp(rest)) return (void console.log(entry[0]), 0);
  return entry[1](rest);
}
