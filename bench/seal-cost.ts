// SPDX-License-Identifier: MIT
// The cost of sealing (and opening) one ring event with a 20 KB snapshot: XS compute units and primitive
// calls, Node throughput beside hpke-js, and an ESP32 time *estimate* from callgrind instruction counts.
// The estimate rests on the stated assumptions below until someone times a seal on the device.
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Chacha20Poly1305 } from "@hpke/chacha20poly1305";
import { CipherSuite, HkdfSha256 } from "@hpke/core";
import { DhkemX25519HkdfSha256 } from "@hpke/dhkem-x25519";
import { openEnvelope } from "../modules/envelope/open-envelope.js";
import { encodePlaintext } from "../modules/envelope/plaintext.js";
import { sealEnvelope } from "../modules/envelope/seal-envelope.js";
import { envelopeAad, envelopeInfo } from "../modules/envelope/binding.js";
import { OFFSET } from "../modules/envelope/layout.js";
import type { EventHeader } from "../modules/events.js";
import { deviceTopics } from "../modules/topics.js";
import { createNodeCrypto } from "../hosts/node/crypto.js";
import { bundleForXs, repoPath } from "../hosts/xs/bundle.js";
import { encodeNetstring, NetstringDecoder } from "../hosts/xs/netstring.js";
import { serveHost } from "../hosts/xs/serve-host.js";
import { decodeWire, encodeWire } from "../hosts/xs/wire.js";
import { XsWorker, xsnapWorkerPath } from "../hosts/xs/xsnap-worker.js";
import { createFakeHost } from "../test/support/fake-host.js";
import type { Section } from "./report.js";

/** The snapshot: a JPEG-shaped 20 KB buffer (SOI ... EOI); sealing never decodes it. */
export const SNAPSHOT_BYTES = 20_480;
const OUT_DIR = repoPath("build/bench-seal");
const XS_RUNS = 3;

// ESP32 estimate: every factor here is an assumption, to be replaced by a seal timed on the device.
const ESP32_CLOCK_HZ = 240e6; // the ESP32-CAM's ESP32 (Xtensa LX6) at its top clock
const ESP32_INSTRUCTIONS_PER_CYCLE = 1; // in-order single-issue core; optimistic: ignores flash-cache misses and load stalls
const XTENSA_PER_X86_INSTRUCTION = 1.5; // RISC vs CISC: no memory operands, rotates and carries cost extra instructions
const QUADRATIC_LIMB_FACTOR = 4; // 256-bit numbers: 8 limbs of 32 bits instead of 4 of 64, so 4x the limb products
const LINEAR_LIMB_FACTOR = 2; // additions, subtractions, comparisons, copies: 2x the limbs

const PRIMITIVE_OF: Record<string, string> = {
  "crypto.x25519": "x25519",
  "crypto.hmac": "hmacSha256",
  "crypto.seal": "chacha20Poly1305Seal",
  "crypto.open": "chacha20Poly1305Open",
  "crypto.random": "randomBytes",
};

type Calls = Record<string, number>;
/** What the guest asked of the host during one crank, and what it was answered. */
interface HostCalls {
  calls: Calls;
  hmacBytes: number[];
  aeadBytes: number;
  requests: Uint8Array[];
  answers: Uint8Array[];
}
/** One recorded crank: its command, reply, compute units and host calls. */
interface Crank extends HostCalls {
  command: Uint8Array;
  reply: Uint8Array;
  units: number;
}
const noCalls = (): HostCalls => ({ calls: {}, hmacBytes: [], aeadBytes: 0, requests: [], answers: [] });
const step = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** One ring event as the firmware seals it (modules/sealer.ts), with fresh keys for this run. */
function ringEvent() {
  const crypto = createNodeCrypto();
  const key = () => {
    const secret = crypto.randomBytes(32);
    return { secret, publicKey: crypto.x25519(secret) };
  };
  const device = key();
  const owner = key();
  const deviceId = "bench";
  const topic = deviceTopics("doorbell", deviceId).event;
  const jpeg = new Uint8Array(SNAPSHOT_BYTES).map((_, i) => (i * 31) & 255);
  jpeg.set([0xff, 0xd8]);
  jpeg.set([0xff, 0xd9], SNAPSHOT_BYTES - 2);
  const header: EventHeader = {
    v: 1,
    type: "ring",
    id: "0123456789abcdef",
    seq: 1,
    device: deviceId,
    atMs: 1_790_000_000_000,
    frameAgeMs: 40,
  };
  const seal = () =>
    sealEnvelope({
      crypto,
      senderPrivateKey: device.secret,
      senderPublicKey: device.publicKey,
      recipientPublicKey: owner.publicKey,
      deviceId,
      topic,
      seq: header.seq,
      header,
      jpeg,
    });
  const open = (bytes: Uint8Array) =>
    openEnvelope({
      crypto,
      recipientPrivateKey: owner.secret,
      recipientPublicKey: owner.publicKey,
      senderPublicKey: device.publicKey,
      deviceId,
      topic,
      bytes,
    });
  return { device, owner, deviceId, topic, jpeg, header, seal, open, envelope: seal() };
}
type RingEvent = ReturnType<typeof ringEvent>;

/** The XS entry: loads the inputs once, then seals or opens them with the guest crypto port (host calls); "take" returns the last seal. */
async function bundleGuest(): Promise<string> {
  const at = (path: string) => JSON.stringify(repoPath(path));
  const entry = `${OUT_DIR}/seal-guest.ts`;
  writeFileSync(
    entry,
    `// Generated by bench/seal-cost.ts.
import { sealEnvelope } from ${at("modules/envelope/seal-envelope.ts")};
import { openEnvelope } from ${at("modules/envelope/open-envelope.ts")};
import { createGuestCrypto } from ${at("hosts/xs/guest-crypto.ts")};
import { decodeWire, encodeWire } from ${at("hosts/xs/wire.ts")};
const crypto = createGuestCrypto();
let f: any, b: Uint8Array[] = [], sealed = new Uint8Array(0);
(globalThis as any).handleCommand = (command: ArrayBuffer): ArrayBuffer => {
  const { fields, blobs } = decodeWire(command);
  if (fields.kind === "load") { f = fields; b = blobs; return encodeWire({}); }
  if (fields.kind === "take") return encodeWire({}, [sealed]);
  const [deviceSecret, devicePublic, ownerSecret, ownerPublic, jpeg, envelope] = b;
  if (fields.kind === "seal") {
    sealed = sealEnvelope({ crypto, senderPrivateKey: deviceSecret, senderPublicKey: devicePublic, recipientPublicKey: ownerPublic,
      deviceId: f.deviceId, topic: f.topic, seq: f.header.seq, header: f.header, jpeg });
    return encodeWire({ bytes: sealed.length });
  }
  const r = openEnvelope({ crypto, recipientPrivateKey: ownerSecret, recipientPublicKey: ownerPublic, senderPublicKey: devicePublic,
    deviceId: f.deviceId, topic: f.topic, bytes: envelope });
  return encodeWire(r.ok ? { ok: true, jpegBytes: r.jpeg ? r.jpeg.length : 0 } : { ok: false, reason: r.reason });
};
`,
  );
  return bundleForXs(entry);
}

const COMMANDS = ["load", "seal", "seal", "open", "open", "take"] as const;

/** One fresh worker: load, two seals, two opens; per crank the compute units and every host call. Both results are checked. */
async function meterInXs(bundle: string, event: RingEvent) {
  const server = serveHost({ ...createFakeHost(), crypto: createNodeCrypto() }, () => undefined);
  let crank = noCalls();
  const worker = new XsWorker({
    name: "bench-seal",
    onRequest(bytes) {
      const { fields, blobs } = decodeWire(bytes);
      const name = PRIMITIVE_OF[String(fields.op)];
      if (!name) throw new Error(`bench: unexpected host call ${String(fields.op)} during a seal`);
      const key = name === "x25519" && blobs.length === 1 ? "x25519PublicKey" : name;
      crank.calls[key] = (crank.calls[key] ?? 0) + 1;
      if (name === "hmacSha256") crank.hmacBytes.push(blobs[1].length);
      if (name.startsWith("chacha")) crank.aeadBytes = blobs[3].length;
      const answer = server.answer(bytes);
      crank.requests.push(bytes.slice());
      crank.answers.push(answer);
      return answer;
    },
  });
  const { device, owner, deviceId, topic, header, jpeg, envelope } = event;
  const load = new Uint8Array(
    encodeWire({ kind: "load", deviceId, topic, header }, [
      device.secret,
      device.publicKey,
      owner.secret,
      owner.publicKey,
      jpeg,
      envelope,
    ]),
  );
  const cranks: Crank[] = [];
  try {
    await worker.evaluate(bundle);
    for (const kind of COMMANDS) {
      crank = noCalls();
      const command = kind === "load" ? load : new Uint8Array(encodeWire({ kind }));
      const reply = await worker.command(command);
      cranks.push({ ...crank, units: reply.meter.compute, command, reply: reply.bytes });
    }
  } finally {
    await worker.close();
    server.close();
  }
  const sealed = decodeWire(cranks[5].reply).blobs[0];
  const checked = event.open(sealed);
  if (!checked.ok || checked.jpeg?.length !== SNAPSHOT_BYTES)
    throw new Error(`bench: the XS seal does not open in Node (${checked.ok ? "snapshot lost" : checked.reason})`);
  const opened = decodeWire(cranks[4].reply).fields;
  if (opened.ok !== true || opened.jpegBytes !== SNAPSHOT_BYTES)
    throw new Error(`bench: XS did not open the Node seal (${String(opened.reason)})`);
  return { cranks, sealedBytes: sealed.length };
}

/** Calls `run` until `maxEvents` or `maxMs` (after 20 warm-up calls); events per second. */
async function throughput(
  run: () => unknown,
  bounds: { maxEvents: number; maxMs: number },
): Promise<{ perSecond: number; events: number }> {
  for (let i = 0; i < 20; i++) await run();
  const start = performance.now();
  let events = 0;
  while (events < bounds.maxEvents && performance.now() - start < bounds.maxMs) {
    await run();
    events++;
  }
  return { perSecond: Math.round(events / ((performance.now() - start) / 1000)), events };
}

/** hpke-js single-shot auth mode on the same plaintext, info and aad as our envelope. */
async function hpkeJsReference(event: RingEvent, bounds: { maxEvents: number; maxMs: number }) {
  const suite = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Chacha20Poly1305(),
  });
  const recipientPublicKey = await suite.kem.deserializePublicKey(event.owner.publicKey.slice().buffer);
  const recipientKey = await suite.kem.importKey("raw", event.owner.secret.slice().buffer, false);
  const senderKey = await suite.kem.importKey("raw", event.device.secret.slice().buffer, false);
  const senderPublicKey = await suite.kem.deserializePublicKey(event.device.publicKey.slice().buffer);
  const plaintext = encodePlaintext(event.header, event.jpeg);
  const info = envelopeInfo(event.deviceId);
  const aad = envelopeAad(event.envelope.subarray(0, OFFSET.enc), event.topic, event.deviceId);
  const sealed = await suite.seal({ recipientPublicKey, senderKey, info }, plaintext, aad);
  const opened = new Uint8Array(
    await suite.open({ recipientKey, enc: sealed.enc, info, senderPublicKey }, sealed.ct, aad),
  );
  if (opened.length !== plaintext.length || opened.some((v, i) => v !== plaintext[i]))
    throw new Error("bench: hpke-js did not open its own seal");
  return {
    seal: await throughput(() => suite.seal({ recipientPublicKey, senderKey, info }, plaintext, aad), bounds),
    open: await throughput(
      () => suite.open({ recipientKey, enc: sealed.enc, info, senderPublicKey }, sealed.ct, aad),
      bounds,
    ),
    plaintextBytes: plaintext.length,
    version: (JSON.parse(readFileSync(repoPath("node_modules/@hpke/core/package.json"), "utf8")) as { version: string })
      .version,
  };
}

/** Instructions callgrind counted (the `totals` line), or throws with valgrind's own words. */
function callgrind(
  name: string,
  command: string[],
  options: { toggle?: string; fd3?: string; fd4?: string } = {},
): { ir: number; outFile: string } {
  const outFile = `${OUT_DIR}/callgrind.${name}`;
  const toggle = options.toggle ? ["--collect-atstart=no", `--toggle-collect=${options.toggle}`] : [];
  const fds = options.fd3 ? [openSync(options.fd3, "r"), openSync(options.fd4!, "w")] : [];
  try {
    const r = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${outFile}`, ...toggle, ...command], {
      stdio: ["ignore", "pipe", "pipe", ...fds],
      encoding: "utf8",
    });
    if (r.error || r.status !== 0)
      throw new Error(
        `callgrind ${name} failed: ${r.error?.message ?? r.stderr.trim().split("\n").slice(-3).join(" ")}`,
      );
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  const totals = /^totals: (\d+)/m.exec(readFileSync(outFile, "utf8"));
  if (!totals) throw new Error(`callgrind ${name}: no totals line in ${outFile}`);
  return { ir: Number(totals[1]), outFile };
}

/** Shares of one X25519's instructions: in mbedtls_mpi_mul_mpi (inclusive) and in malloc/free (self). */
function x25519Profile(outFile: string, total: number): { mulShare: number; allocShare: number } {
  const annotate = (inclusive: boolean) =>
    spawnSync("callgrind_annotate", [`--inclusive=${inclusive ? "yes" : "no"}`, "--threshold=100", outFile], {
      encoding: "utf8",
    }).stdout ?? "";
  const cost = (text: string, fn: RegExp) =>
    text
      .split("\n")
      .filter((l) => fn.test(l))
      .reduce((s, l) => s + Number(l.trim().split(" ")[0].replace(/,/g, "")), 0);
  const mul = cost(annotate(true), /:mbedtls_mpi_mul_mpi /);
  if (mul === 0) throw new Error("callgrind_annotate found no mbedtls_mpi_mul_mpi in the X25519 profile");
  return {
    mulShare: mul / total,
    allocShare:
      cost(
        annotate(false),
        /malloc\.c:(_int_malloc|_int_free|malloc|calloc|free|malloc_consolidate|unlink_chunk[.\w]*) /,
      ) / total,
  };
}

/** x86-64 instructions per call of each native primitive, counted by callgrind on doorbell_crypto.c + Debian's mbedtls. */
function nativeInstructions(seal: Crank, open: Crank, quick: boolean) {
  const driver = `${OUT_DIR}/primitive-cost`;
  const cc = spawnSync(
    "gcc",
    [
      "-std=c11",
      "-O2",
      "-g",
      "-Wall",
      "-Wextra",
      "-Werror",
      `-I${repoPath("hosts/esp32/native")}`,
      repoPath("hosts/esp32/native/doorbell_crypto.c"),
      repoPath("bench/native/primitive-cost.c"),
      "-lmbedcrypto",
      "-o",
      driver,
    ],
    { encoding: "utf8" },
  );
  if (cc.error || cc.status !== 0)
    throw new Error(
      `the callgrind driver does not build (gcc and libmbedtls-dev needed): ${cc.error?.message ?? cc.stderr.trim()}`,
    );
  const n = quick ? 4 : 12;
  const perCall = (name: string, op: string, sizes: number[] | number, count = n) => {
    const { ir, outFile } = callgrind(name, [driver, op, String(count), String(sizes)], { toggle: "measured_call" });
    return { instructions: Math.round(ir / count), outFile };
  };
  const x25519 = perCall("x25519", "x25519", 0);
  const mbedtls =
    spawnSync("dpkg-query", ["-W", "-f=${Version}", "libmbedtls-dev"], { encoding: "utf8" }).stdout || "unknown";
  return {
    tool: `valgrind --tool=callgrind ${spawnSync("valgrind", ["--version"], { encoding: "utf8" }).stdout.trim()}`,
    mbedtls: `Debian libmbedtls-dev ${mbedtls} (x86-64, 64-bit limbs)`,
    x25519: x25519.instructions,
    x25519PublicKey: perCall("x25519-public", "x25519-public", 0).instructions,
    x25519Profile: x25519Profile(x25519.outFile, x25519.instructions * n),
    hmacSha256Of64Bytes: perCall("hmac-64", "hmac", 64).instructions,
    hmacForSeal: perCall("hmac-seal", "hmac", seal.hmacBytes).instructions,
    hmacForOpen: perCall("hmac-open", "hmac", open.hmacBytes).instructions,
    aeadSealFixed: perCall("aead-0", "seal", 0).instructions,
    aeadSealForSeal: perCall("aead-seal", "seal", seal.aeadBytes).instructions,
    aeadOpenForOpen: perCall("aead-open", "open", open.aeadBytes - 16).instructions,
    aeadBytes: seal.aeadBytes,
  };
}

/**
 * x86-64 instructions of the XS side of one steady-state seal and open: the worker is replayed under
 * callgrind from a file holding the recorded commands and host-call answers (so it makes the same
 * calls), and the difference between replays with and without the crank is that crank's cost.
 */
function xsInstructions(bundle: string, cranks: Crank[]) {
  const tagged = (tag: number, bytes: Uint8Array) => {
    const message = new Uint8Array(bytes.length + 1);
    message[0] = tag;
    message.set(bytes, 1);
    return encodeNetstring(message);
  };
  const replay = (upTo: number) => {
    const parts = [tagged(0x65, new TextEncoder().encode(bundle))]; // 'e' evaluate, '?' command, '/' answer (hosts/xs/xsnap-worker.ts)
    for (const c of cranks.slice(0, upTo))
      parts.push(tagged(0x3f, c.command), ...c.answers.map((a) => tagged(0x2f, a)));
    const input = `${OUT_DIR}/replay-${upTo}.in`;
    writeFileSync(input, Buffer.concat(parts));
    const { ir } = callgrind(`xs-${upTo}`, [xsnapWorkerPath(), "bench-seal"], {
      fd3: input,
      fd4: `${OUT_DIR}/replay-${upTo}.out`,
    });
    const sent = new NetstringDecoder().push(readFileSync(`${OUT_DIR}/replay-${upTo}.out`));
    const requests = sent.filter((m) => m[0] === 0x3f).map((m) => Buffer.from(m.subarray(1)).toString("hex"));
    const recorded = cranks.slice(0, upTo).flatMap((c) => c.requests.map((r) => Buffer.from(r).toString("hex")));
    const units = sent
      .filter((m) => m[0] === 0x2e)
      .map((m) => (JSON.parse(Buffer.from(m.subarray(1, m.indexOf(1))).toString()) as { compute: number }).compute);
    if (
      sent.some((m) => m[0] === 0x21) ||
      requests.join() !== recorded.join() ||
      units.slice(1).join() !==
        cranks
          .slice(0, upTo)
          .map((c) => c.units)
          .join()
    ) {
      throw new Error("bench: the callgrind replay of the XS worker diverged from the recorded run");
    }
    return ir;
  };
  const [upToSeal2, upToSeal1, upToOpen2, upToOpen1] = [3, 2, 5, 4].map(replay); // cranks: load, seal, seal, open, open
  return { seal: upToSeal2 - upToSeal1, open: upToOpen2 - upToOpen1 };
}

function sameCrank(runs: Crank[][], index: number): boolean {
  return runs.every(
    (r) =>
      r[index].units === runs[0][index].units &&
      JSON.stringify(r[index].calls) === JSON.stringify(runs[0][index].calls),
  );
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (x86: number, factor: number) =>
  ((x86 * factor * XTENSA_PER_X86_INSTRUCTION) / ESP32_INSTRUCTIONS_PER_CYCLE / ESP32_CLOCK_HZ) * 1000;

export async function benchSealCost(options: { quick: boolean }): Promise<Section> {
  mkdirSync(OUT_DIR, { recursive: true });
  const event = ringEvent();
  const bundle = await bundleGuest();
  step(`seal: XS compute units and host calls for one seal and one open, ${XS_RUNS} fresh workers`);
  const runs: Crank[][] = [];
  let sealedBytes = 0;
  for (let i = 0; i < XS_RUNS; i++) ({ cranks: runs[i], sealedBytes } = await meterInXs(bundle, event));
  const [, sealFirst, seal, openFirst, open] = runs[0];
  const agree = [2, 4].every((i) => sameCrank(runs, i));

  const bounds = options.quick ? { maxEvents: 1000, maxMs: 500 } : { maxEvents: 5000, maxMs: 2000 };
  step(
    `seal: Node throughput, ours and hpke-js (up to ${fmt(bounds.maxEvents)} events or ${bounds.maxMs / 1000} s each)`,
  );
  const first = event.open(event.seal());
  if (!first.ok || first.jpeg?.length !== SNAPSHOT_BYTES) throw new Error("bench: a Node seal does not open");
  const node = {
    seal: await throughput(event.seal, bounds),
    open: await throughput(() => event.open(event.envelope), bounds),
  };
  const hpkeJs = await hpkeJsReference(event, bounds);

  step("seal: callgrind instruction counts of the native primitives and of the XS side");
  let native: ReturnType<typeof nativeInstructions> | undefined;
  let xsX86: { seal: number; open: number } | undefined;
  let unavailable: string | undefined;
  try {
    native = nativeInstructions(seal, open, options.quick);
    xsX86 = xsInstructions(bundle, runs[0]);
  } catch (error) {
    unavailable = `${(error as Error).message}${spawnSync("valgrind", ["--version"]).error ? " (install it: apt-get install -y valgrind)" : ""}`;
    step(`seal: no ESP32 estimate: ${unavailable}`);
  }
  const limbFactor = native
    ? native.x25519Profile.mulShare * QUADRATIC_LIMB_FACTOR +
      native.x25519Profile.allocShare +
      (1 - native.x25519Profile.mulShare - native.x25519Profile.allocShare) * LINEAR_LIMB_FACTOR
    : 0;
  const estimate =
    native && xsX86
      ? {
          x25519Ms: ms(native.x25519, limbFactor),
          x25519PublicKeyMs: ms(native.x25519PublicKey, limbFactor),
          sealHmacMs: ms(native.hmacForSeal, 1),
          sealAeadMs: ms(native.aeadSealForSeal, 1),
          sealXsMs: ms(xsX86.seal, 1),
          openHmacMs: ms(native.hmacForOpen, 1),
          openAeadMs: ms(native.aeadOpenForOpen, 1),
          openXsMs: ms(xsX86.open, 1),
        }
      : undefined;
  const x = (c: Calls, k: string) => c[k] ?? 0;
  const msPerSeal =
    estimate &&
    estimate.x25519PublicKeyMs * x(seal.calls, "x25519PublicKey") +
      estimate.x25519Ms * x(seal.calls, "x25519") +
      estimate.sealHmacMs +
      estimate.sealAeadMs +
      estimate.sealXsMs;
  const msPerOpen =
    estimate &&
    estimate.x25519Ms * x(open.calls, "x25519") +
      estimate.x25519PublicKeyMs * x(open.calls, "x25519PublicKey") +
      estimate.openHmacMs +
      estimate.openAeadMs +
      estimate.openXsMs;
  const primitiveCalls = (c: Calls) => ({
    x25519: x(c, "x25519") + x(c, "x25519PublicKey"),
    x25519PublicKey: x(c, "x25519PublicKey"),
    hmacSha256: x(c, "hmacSha256"),
    chacha20Poly1305Seal: x(c, "chacha20Poly1305Seal"),
    chacha20Poly1305Open: x(c, "chacha20Poly1305Open"),
    randomBytes: x(c, "randomBytes"),
  });

  const json = {
    snapshotBytes: SNAPSHOT_BYTES,
    plaintextBytes: seal.aeadBytes,
    envelopeBytes: sealedBytes,
    xsSealComputeUnits: seal.units,
    xsOpenComputeUnits: open.units,
    xsSealComputeUnitsFirst: sealFirst.units,
    xsOpenComputeUnitsFirst: openFirst.units,
    xsRuns: { seal: runs.map((r) => r[2].units), open: runs.map((r) => r[4].units), agree },
    primitiveCalls: { seal: primitiveCalls(seal.calls), open: primitiveCalls(open.calls) },
    hmacInputBytes: { seal: seal.hmacBytes, open: open.hmacBytes },
    node: {
      sealPerSecond: node.seal.perSecond,
      openPerSecond: node.open.perSecond,
      sealEvents: node.seal.events,
      openEvents: node.open.events,
      ...bounds,
    },
    reference: {
      hpkeJs: {
        sealPerSecond: hpkeJs.seal.perSecond,
        openPerSecond: hpkeJs.open.perSecond,
        sealEvents: hpkeJs.seal.events,
        openEvents: hpkeJs.open.events,
        plaintextBytes: hpkeJs.plaintextBytes,
        version: hpkeJs.version,
      },
    },
    x86Instructions: native && xsX86 ? { ...native, xsSeal: xsX86.seal, xsOpen: xsX86.open } : { unavailable },
    esp32Estimate: estimate
      ? {
          msPerSeal: round(msPerSeal!),
          msPerOpen: round(msPerOpen!),
          breakdownMs: Object.fromEntries(Object.entries(estimate).map(([k, v]) => [k, round(v)])),
          assumptions: {
            clockHz: ESP32_CLOCK_HZ,
            instructionsPerCycle: ESP32_INSTRUCTIONS_PER_CYCLE,
            xtensaPerX86Instruction: XTENSA_PER_X86_INSTRUCTION,
            x25519LimbFactor: round(limbFactor),
            quadraticLimbFactor: QUADRATIC_LIMB_FACTOR,
            linearLimbFactor: LINEAR_LIMB_FACTOR,
            softwareBignum: true,
          },
        }
      : { unavailable },
  };
  return {
    key: "seal",
    title: "Sealing one ring event with a 20 KB snapshot",
    intro: intro(json.esp32Estimate),
    json,
    rows: rows(),
  };

  function rows() {
    const calls = (c: Calls) =>
      `${x(c, "x25519") + x(c, "x25519PublicKey")} x25519 (${x(c, "x25519PublicKey")} key generation), ${x(c, "hmacSha256")} hmacSha256, ${x(c, "chacha20Poly1305Seal") + x(c, "chacha20Poly1305Open")} chacha20Poly1305${x(c, "chacha20Poly1305Seal") ? "Seal" : "Open"}, ${x(c, "randomBytes")} randomBytes`;
    const runsNote = (i: number, first: number) =>
      `${agree ? `the ${XS_RUNS} fresh workers agree` : `runs DIFFER: ${runs.map((r) => r[i].units).join(", ")}`}; the first ${i === 2 ? "seal" : "open"} in a worker costs ${fmt(first)}`;
    const out = [
      {
        figure: "seal.xsSealComputeUnits",
        value: fmt(seal.units),
        reference: `${fmt(open.units)} to open it`,
        note: `${runsNote(2, sealFirst.units)}; ${fmt(SNAPSHOT_BYTES)}-byte snapshot sealed into ${fmt(sealedBytes)} bytes; native primitives are host calls, not counted`,
      },
      { figure: "seal.xsOpenComputeUnits", value: fmt(open.units), note: runsNote(4, openFirst.units) },
      {
        figure: "seal.primitiveCalls.seal",
        value: calls(seal.calls),
        note: `HMAC inputs ${seal.hmacBytes.join(", ")} bytes; AEAD over ${fmt(seal.aeadBytes)} bytes`,
      },
      { figure: "seal.primitiveCalls.open", value: calls(open.calls) },
      {
        figure: "seal.node.sealPerSecond",
        value: `${fmt(node.seal.perSecond)} events/s`,
        reference: `hpke-js ${fmt(hpkeJs.seal.perSecond)} events/s`,
        note: `${fmt(node.seal.events)} envelopes (node:crypto); @hpke/core ${hpkeJs.version} single-shot mode_auth of the same ${fmt(hpkeJs.plaintextBytes)}-byte plaintext (pure-JS X25519 and ChaCha20-Poly1305)`,
      },
      {
        figure: "seal.node.openPerSecond",
        value: `${fmt(node.open.perSecond)} events/s`,
        reference: `hpke-js ${fmt(hpkeJs.open.perSecond)} events/s`,
        note: `${fmt(node.open.events)} opens, every check of openEnvelope included`,
      },
    ];
    if (!native || !xsX86 || !estimate)
      return [...out, { figure: "seal.esp32Estimate", value: "not computed", note: unavailable }];
    const p = native.x25519Profile;
    return [
      ...out,
      {
        figure: "x86-64 instructions per X25519 (callgrind)",
        value: fmt(native.x25519),
        reference: `${fmt(native.x25519PublicKey)} for key generation`,
        note: `${native.mbedtls} via doorbell_crypto.c; PSA key import and destroy included; varies slightly run to run (mbedtls randomises the ladder's coordinates); ${fmt(p.mulShare * 100, 1)}% in mbedtls_mpi_mul_mpi, ${fmt(p.allocShare * 100, 1)}% in malloc/free`,
      },
      {
        figure: "x86-64 instructions per HMAC-SHA256",
        value: fmt(native.hmacSha256Of64Bytes),
        note: `32-byte key, 64-byte input; the ${x(seal.calls, "hmacSha256")} of a seal: ${fmt(native.hmacForSeal)}`,
      },
      {
        figure: "x86-64 instructions per ChaCha20-Poly1305 byte",
        value: fmt((native.aeadSealForSeal - native.aeadSealFixed) / native.aeadBytes, 1),
        note: `${fmt(native.aeadSealFixed)} fixed; ${fmt(native.aeadSealForSeal)} for the ${fmt(native.aeadBytes)}-byte plaintext`,
      },
      {
        figure: "x86-64 instructions of the XS side (callgrind)",
        value: `${fmt(xsX86.seal)} per seal`,
        reference: `${fmt(xsX86.open)} per open`,
        note: `xsnap-worker replaying the recorded crank: ${fmt(xsX86.seal / seal.units, 1)} instructions per compute unit`,
      },
      {
        figure: "seal.esp32Estimate.msPerSeal (estimate)",
        value: `${fmt(msPerSeal!, 0)} ms`,
        note: `X25519 ${x(seal.calls, "x25519PublicKey")} key generation × ${fmt(estimate.x25519PublicKeyMs, 0)} ms + ${x(seal.calls, "x25519")} DH × ${fmt(estimate.x25519Ms, 0)} ms, HMAC ${fmt(estimate.sealHmacMs, 1)} ms, AEAD ${fmt(estimate.sealAeadMs, 1)} ms, XS ${fmt(estimate.sealXsMs, 1)} ms; assumptions in the intro`,
      },
      {
        figure: "seal.esp32Estimate.msPerOpen (estimate)",
        value: `${fmt(msPerOpen!, 0)} ms`,
        note: `X25519 ${x(open.calls, "x25519")} DH × ${fmt(estimate.x25519Ms, 0)} ms, HMAC ${fmt(estimate.openHmacMs, 1)} ms, AEAD ${fmt(estimate.openAeadMs, 1)} ms, XS ${fmt(estimate.openXsMs, 1)} ms`,
      },
      {
        figure: "X25519 limb factor (assumption, from the profile)",
        value: fmt(limbFactor, 2),
        note: `${QUADRATIC_LIMB_FACTOR}× for the multiply share, ${LINEAR_LIMB_FACTOR}× for the other bignum code, 1× for malloc/free: 32-bit limbs on the LX6`,
      },
    ];
  }
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

function intro(estimate: { unavailable?: string } | object): string {
  const base =
    "One crank seals (or opens) a ring event whose snapshot is a 20,480-byte JPEG-shaped buffer, with sealEnvelope as modules/sealer.ts calls it. " +
    "XS compute units are deterministic meter counts; the crypto primitives are host calls, as on the device (mbedtls), so they appear as call counts, not units. " +
    "The units include this bench's host-call marshalling (every argument is wire-encoded, so the 20 KB plaintext is copied twice more); the device binding passes views to C, so there the XS part is smaller. " +
    "Node throughput uses node:crypto, beside hpke-js in the same run.";
  if ("unavailable" in estimate) return `${base} No ESP32 estimate in this run: ${estimate.unavailable}.`;
  return (
    `${base}\n\nThe ESP32 figures are an estimate, not a measurement. Measured here with callgrind: the x86-64 instructions of doorbell_crypto.c over Debian's mbedtls 2.28, and of the XS worker's side of each crank (replayed from the recorded run). ` +
    `Assumed, until a seal is timed on the device: an Xtensa LX6 at ${ESP32_CLOCK_HZ / 1e6} MHz retiring ${ESP32_INSTRUCTIONS_PER_CYCLE} instruction per cycle (optimistic: flash-cache misses, PSRAM and load stalls ignored); ` +
    `${XTENSA_PER_X86_INSTRUCTION} Xtensa instructions per x86-64 instruction (no memory operands, no rotate, no carry flag); ` +
    `for X25519 only, a limb factor, because bignum code on a 32-bit core handles twice as many limbs: ${QUADRATIC_LIMB_FACTOR}× for the share of instructions in mbedtls_mpi_mul_mpi (quadratic in limbs), ${LINEAR_LIMB_FACTOR}× for the rest of the bignum code (linear), 1× for malloc/free, weighted by the measured profile; ` +
    "software bignum (ESP-IDF's RSA-accelerator MPI is not modelled) and mbedtls 2.28's code paths. " +
    "X25519 dominates: an auth-mode seal makes 3 scalar multiplications (the ephemeral key, DH(skE, pkR), DH(skS, pkR)), an open 2. " +
    "For scale only (third-party, not measured here): a forum report puts mbedtls Curve25519 on ESP32-class chips at about 100 ms (esp32.io/viewtopic.php?t=23830)."
  );
}
