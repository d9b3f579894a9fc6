// SPDX-License-Identifier: MIT
// Drives Moddable's XS engine (the xsnap-worker that @agoric/xsnap builds at install) directly over its
// netstring pipes, without SES: evaluate scripts, deliver commands, answer the worker's synchronous calls.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { encodeNetstring, NetstringDecoder } from "./netstring.js";

/** The XS meter after one crank: `compute` is deterministic for the same code and input. */
export interface Meter {
  compute: number;
  currentHeapCount: number;
  allocate: number;
}

export interface Reply {
  bytes: Uint8Array;
  meter: Meter;
}

export interface XsWorkerOptions {
  /** Shown in process listings and errors. */
  name?: string;
  /** Abort any crank that costs more compute units than this (bounds runaway tests). */
  meterLimit?: number;
  /** Answers the worker's `issueCommand(bytes)`; must be synchronous, the worker is blocked meanwhile. */
  onRequest(bytes: Uint8Array): Uint8Array;
  /** The worker's stdout (its `print`/`trace`). */
  onOutput?(text: string): void;
}

/** Path of the xsnap-worker binary, with a clear error when the install step did not build it. */
export function xsnapWorkerPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve("@agoric/xsnap/package.json"));
  const bin = join(pkg, "xsnap-native/xsnap/build/bin/lin/release/xsnap-worker");
  if (!existsSync(bin)) {
    throw new Error(
      `xsnap-worker not found at ${bin}; it is built by @agoric/xsnap's install script: run npm rebuild @agoric/xsnap (needs gcc and make)`,
    );
  }
  return bin;
}

interface Waiting {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

/** One XS machine in a child process. Commands run one at a time, in order. */
export class XsWorker {
  private child: ChildProcess;
  private toWorker: Writable;
  private decoder = new NetstringDecoder();
  private queue: { message: Uint8Array; waiting: Waiting }[] = [];
  private current?: Waiting;
  private exited?: Error;

  constructor(private options: XsWorkerOptions) {
    const args = [options.name ?? "doorbell"];
    // XS's meter is a 32-bit count: a larger limit would wrap around to a smaller one without a word.
    if (options.meterLimit !== undefined && !(options.meterLimit > 0 && options.meterLimit <= 0xffffffff))
      throw new RangeError(
        `xsnap-worker: meterLimit must be 1 to 4294967295 (XS meters in 32 bits), got ${options.meterLimit}`,
      );
    if (options.meterLimit) args.push("-l", String(options.meterLimit));
    // Its own process group: a terminal's Ctrl-C reaches our handler, which then closes the worker in order.
    // If this process dies instead, the worker reads EOF on its pipe and exits by itself.
    this.child = spawn(xsnapWorkerPath(), args, {
      stdio: ["ignore", "pipe", "inherit", "pipe", "pipe"],
      detached: true,
    });
    this.toWorker = this.child.stdio[3] as Writable;
    const fromWorker = this.child.stdio[4] as Readable;
    this.toWorker.on("error", () => undefined); // a dead worker is reported through "exit"
    fromWorker.on("error", () => undefined);
    (this.child.stdout as Readable)
      .setEncoding("utf8")
      .on("data", (t: string) => (options.onOutput ?? ((s: string) => process.stdout.write(s)))(t));
    fromWorker.on("data", (chunk: Buffer) => {
      for (const message of this.decoder.push(chunk)) this.receive(message);
    });
    this.child.on("exit", (code, signal) => {
      this.exited = new Error(`xsnap-worker exited (code ${code}, signal ${signal})`);
      this.current?.reject(this.exited);
      for (const q of this.queue.splice(0)) q.waiting.reject(this.exited);
      this.current = undefined;
    });
  }

  /** Evaluates a script (not a module) in the global scope. */
  evaluate(source: string): Promise<Reply> {
    return this.send(new Uint8Array([0x65, ...new TextEncoder().encode(source)]));
  }

  /** Calls the worker's global `handleCommand(ArrayBuffer)` and returns its ArrayBuffer result. */
  command(bytes: Uint8Array): Promise<Reply> {
    const message = new Uint8Array(bytes.length + 1);
    message[0] = 0x3f; // '?'
    message.set(bytes, 1);
    return this.send(message);
  }

  /**
   * The live heap, measured from a snapshot the worker writes (xsSnapshot.c): the bytes of its slot section
   * (HEAP: live slots) and of its chunk section (BLOC: live chunks: strings, array and buffer storage, closures' code).
   * Run a GC first for figures free of garbage.
   */
  async heapSizes(): Promise<{ slotBytes: number; chunkBytes: number }> {
    const dir = mkdtempSync(join(tmpdir(), "xs-heap-"));
    const path = join(dir, "heap.xss");
    try {
      await this.send(new Uint8Array([0x77, ...new TextEncoder().encode(path)])); // 'w'
      return snapshotSections(readFileSync(path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.toWorker.end(encodeNetstring(new Uint8Array([0x71]))); // 'q'
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 2000);
    await done;
    clearTimeout(timer);
  }

  /** Kills the worker at once (SIGKILL), as a power cut would: nothing in flight completes. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.kill("SIGKILL");
    await done;
  }

  private send(message: Uint8Array): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((resolve, reject) => {
      this.queue.push({ message, waiting: { resolve, reject } });
      this.next();
    });
  }

  private next(): void {
    if (this.current || this.queue.length === 0) return;
    const { message, waiting } = this.queue.shift()!;
    this.current = waiting;
    this.toWorker.write(encodeNetstring(message));
  }

  private receive(message: Uint8Array): void {
    const kind = message[0];
    if (kind === 0x3f) {
      // '?': the worker's synchronous issueCommand; it blocks until we answer with '/'.
      let answer: Uint8Array;
      try {
        answer = this.options.onRequest(message.subarray(1));
      } catch (error) {
        answer = new TextEncoder().encode(JSON.stringify({ error: String((error as Error)?.message ?? error) }));
      }
      const reply = new Uint8Array(answer.length + 1);
      reply[0] = 0x2f; // '/'
      reply.set(answer, 1);
      this.toWorker.write(encodeNetstring(reply));
      return;
    }
    const waiting = this.current;
    this.current = undefined;
    if (kind === 0x2e) {
      const sep = message.indexOf(1);
      const meter = JSON.parse(new TextDecoder().decode(message.subarray(1, sep))) as Meter;
      waiting?.resolve({ bytes: message.slice(sep + 1), meter });
    } else if (kind === 0x21) {
      waiting?.reject(new Error(`XS: ${new TextDecoder().decode(message.subarray(1))}`));
    } else {
      waiting?.reject(new Error(`xsnap-worker: unexpected reply '${String.fromCharCode(kind)}'`));
    }
    this.next();
  }
}

/** The slot and chunk section sizes of an XS snapshot: "XS_M" holding sections of [size u32 BE][tag][body]. */
function snapshotSections(bytes: Uint8Array): { slotBytes: number; chunkBytes: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at + 4, at + 8));
  if (bytes.length < 8 || tag(0) !== "XS_M") throw new Error("xsnap: the heap snapshot is not an XS_M file");
  const sizes: Record<string, number> = {};
  for (let at = 8, n = 0; at + 8 <= bytes.length && n < 64; n++) {
    const size = view.getUint32(at);
    if (size < 8) break;
    sizes[tag(at)] = size - 8;
    at += size;
  }
  if (sizes.BLOC === undefined || sizes.HEAP === undefined)
    throw new Error(`xsnap: the heap snapshot lacks BLOC or HEAP (sections ${Object.keys(sizes).join(", ")})`);
  return { slotBytes: sizes.HEAP, chunkBytes: sizes.BLOC };
}
