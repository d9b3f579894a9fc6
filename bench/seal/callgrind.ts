// SPDX-License-Identifier: MIT
// x86-64 instruction counts for the seal bench, by valgrind's callgrind: each native crypto primitive
// (doorbell_crypto.c over Debian's mbedtls) and the XS worker's side of a seal and an open (a replay).
import { spawnSync } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { repoPath } from "../../hosts/xs/bundle.js";
import { encodeNetstring, NetstringDecoder } from "../../hosts/xs/netstring.js";
import { xsnapWorkerPath } from "../../hosts/xs/xsnap-worker.js";
import type { Crank } from "./crank.js";

/** Where the seal bench writes its guest entry, drivers, replays and callgrind outputs. */
export const SEAL_BUILD_DIR = repoPath("build/bench-seal");
const OUT_DIR = SEAL_BUILD_DIR;

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

/** Builds the C driver that calls one primitive `count` times (bench/native/primitive-cost.c); its path. */
function buildDriver(): string {
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
  return driver;
}

/**
 * x86-64 instructions per call of each native primitive, counted by callgrind on doorbell_crypto.c and
 * Debian's mbedtls, with the HMAC and AEAD input sizes the recorded `seal`, `open` and `ring` cranks used.
 */
export function nativeInstructions(seal: Crank, open: Crank, ring: Crank, quick: boolean) {
  const driver = buildDriver();
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
    hmacForRing: perCall("hmac-ring", "hmac", ring.hmacBytes).instructions,
    aeadSealFixed: perCall("aead-0", "seal", 0).instructions,
    aeadSealForSeal: perCall("aead-seal", "seal", seal.aeadBytes).instructions,
    aeadOpenForOpen: perCall("aead-open", "open", open.aeadBytes - 16).instructions,
    aeadBytes: seal.aeadBytes,
  };
}
export type NativeInstructions = ReturnType<typeof nativeInstructions>;

// The xsnap-worker's message tags (hosts/xs/xsnap-worker.ts).
const TAG = { evaluate: 0x65, command: 0x3f, answer: 0x2f, meter: 0x2e, error: 0x21 } as const;

function tagged(tag: number, bytes: Uint8Array): Uint8Array {
  const message = new Uint8Array(bytes.length + 1);
  message[0] = tag;
  message.set(bytes, 1);
  return encodeNetstring(message);
}

/**
 * Replays the bundle and the first `upTo` recorded cranks (their commands and host-call answers) in a
 * worker under callgrind; its instructions. Throws if the replay asked for other calls or metered other units.
 */
function replay(bundle: string, cranks: Crank[], upTo: number): number {
  const played = cranks.slice(0, upTo);
  const parts = [tagged(TAG.evaluate, new TextEncoder().encode(bundle))];
  for (const c of played) parts.push(tagged(TAG.command, c.command), ...c.answers.map((a) => tagged(TAG.answer, a)));
  const input = `${OUT_DIR}/replay-${upTo}.in`;
  const output = `${OUT_DIR}/replay-${upTo}.out`;
  writeFileSync(input, Buffer.concat(parts));
  const { ir } = callgrind(`xs-${upTo}`, [xsnapWorkerPath(), "bench-seal"], { fd3: input, fd4: output });
  const sent = new NetstringDecoder().push(readFileSync(output));
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
  const requests = sent.filter((m) => m[0] === TAG.command).map((m) => hex(m.subarray(1)));
  const recorded = played.flatMap((c) => c.requests.map(hex));
  const units = sent
    .filter((m) => m[0] === TAG.meter)
    .map((m) => (JSON.parse(Buffer.from(m.subarray(1, m.indexOf(1))).toString()) as { compute: number }).compute);
  const diverged =
    sent.some((m) => m[0] === TAG.error) ||
    requests.join() !== recorded.join() ||
    units.slice(1).join() !== played.map((c) => c.units).join();
  if (diverged) throw new Error("bench: the callgrind replay of the XS worker diverged from the recorded run");
  return ir;
}

/**
 * x86-64 instructions of the XS side of one steady-state seal, open and ring-time seal: the worker is replayed
 * under callgrind from a file holding the recorded commands and host-call answers (so it makes the same
 * calls), and the difference between replays with and without the crank is that crank's cost.
 */
export function xsInstructions(bundle: string, cranks: Crank[]): { seal: number; open: number; ring: number } {
  // cranks: load, seal, seal, open, open, take, precompute, ring, precompute, ring (bench/seal-cost.ts)
  const [upToSeal2, upToSeal1, upToOpen2, upToOpen1, upToRing2, upToRing1] = [3, 2, 5, 4, 10, 9].map((upTo) =>
    replay(bundle, cranks, upTo),
  );
  return { seal: upToSeal2 - upToSeal1, open: upToOpen2 - upToOpen1, ring: upToRing2 - upToRing1 };
}

/** Why there are no callgrind figures: `error`'s message, and how to install valgrind when it is missing. */
export function callgrindUnavailable(error: unknown): string {
  const missing = spawnSync("valgrind", ["--version"]).error ? " (install it: apt-get install -y valgrind)" : "";
  return `${(error as Error).message}${missing}`;
}
