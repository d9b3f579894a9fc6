// SPDX-License-Identifier: MIT
// Fake of `embedded:io/image/in/camera` on ESP32 (modules/io/imagein/camera/esp32/camera.js and
// camera.c) with a scriptable sensor. As in the SDK: 3 frame slots (kCameraFrameCount); a captured
// frame takes a free slot or is dropped when all 3 are held; each stored frame posts one onReadable(0)
// message, delivered only while running; `read()` returns the oldest ready frame or undefined; in
// "buffer/disposable" format the frame is a host buffer {byteLength, camera, close()} over the slot,
// and `close()` frees the slot and detaches the buffer (a second close does nothing); `stop()` frees
// every slot and detaches the buffers still held; `close()` of the camera does not detach them, and
// closing such a buffer afterwards throws (the camera's host data is gone). Construction throws
// "unsupported dimensions" above 2560 px wide and "camera init failed" when the test says so.
import { post } from "./event-loop.js";

/** The sizes esp32-camera offers (FRAMESIZE_*), smallest first. */
const SIZES: [number, number][] = [
  [96, 96],
  [160, 120],
  [176, 144],
  [240, 176],
  [240, 240],
  [320, 240],
  [400, 296],
  [480, 320],
  [640, 480],
  [800, 600],
  [1024, 768],
  [1280, 720],
  [1600, 1200],
  [1920, 1080],
  [2560, 1920],
];
const FRAME_SLOTS = 3;

interface Slot {
  id: number;
  bytes: Uint8Array;
  state: "ready" | "client";
  buffer?: DisposableFrame;
}

/** What the fake saw, for assertions. */
export const cameraStats = {
  captured: 0,
  dropped: 0,
  closedByClient: 0,
  detachedByStop: 0,
  inits: 0,
};

let failInits = 0;
let live: Camera | undefined;

/** The next `count` constructions throw "camera init failed" (a loose ribbon cable). */
export function failCameraInit(count = 1): void {
  failInits = count;
}

/** The camera instance the host opened, if any. */
export function liveCamera(): Camera | undefined {
  return live;
}

export function resetCamera(): void {
  failInits = 0;
  live = undefined;
  for (const key of Object.keys(cameraStats) as (keyof typeof cameraStats)[]) cameraStats[key] = 0;
}

/** A disposable frame: an ArrayBuffer (so `new Uint8Array(frame)` views it) that can be detached. */
export class DisposableFrame extends ArrayBuffer {
  readonly camera: Camera;
  #detached = false;
  constructor(bytes: Uint8Array, camera: Camera) {
    super(bytes.length);
    new Uint8Array(this).set(bytes);
    this.camera = camera;
  }
  static get [Symbol.species]() {
    return ArrayBuffer;
  }
  close(): void {
    if (this.#detached) return; // host data already gone: the SDK returns quietly
    this.camera.release(this);
  }
  /** Detaches like xsmcSetHostBuffer(NULL, 0): every view of it reads as empty from now on. */
  detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.transfer(0);
  }
}

class Camera {
  #slots: (Slot | undefined)[] = new Array(FRAME_SLOTS).fill(undefined);
  #nextId = 0;
  #running = false;
  #open = true;
  #onReadable: ((this: Camera, count: number) => void) | undefined;
  #format: string;
  readonly width: number;
  readonly height: number;
  readonly imageType: "jpeg" | number;

  constructor(options: {
    width?: number;
    height?: number;
    imageType?: "jpeg" | number;
    format?: string;
    onReadable?: (this: Camera, count: number) => void;
  }) {
    const format = options.format ?? "buffer";
    if (format !== "buffer" && format !== "buffer/disposable") throw new RangeError("invalid format");
    const size = SIZES.find(([w]) => w >= (options.width ?? 240));
    if (!size) throw new Error("unsupported dimensions");
    cameraStats.inits++;
    if (failInits > 0) {
      failInits--;
      throw new Error("camera init failed");
    }
    [this.width, this.height] = size;
    this.imageType = options.imageType ?? 7;
    this.#format = format;
    this.#onReadable = options.onReadable;
    live = this;
  }

  get format(): string {
    return this.#format;
  }

  /** The sensor delivers a frame (the capture task in camera.c). Returns false when it was dropped. */
  capture(bytes: Uint8Array): boolean {
    if (!this.#open || !this.#running) return false;
    cameraStats.captured++;
    const free = this.#slots.indexOf(undefined);
    if (free < 0) {
      cameraStats.dropped++;
      return false;
    }
    this.#slots[free] = { id: ++this.#nextId, bytes: bytes.slice(), state: "ready" };
    if (this.#onReadable)
      post(() => {
        if (this.#open && this.#running) this.#onReadable?.call(this, 0);
      });
    return true;
  }

  /** Frames the client holds (read, not yet closed). */
  get held(): number {
    return this.#slots.filter((s) => s?.state === "client").length;
  }

  read(): DisposableFrame | ArrayBuffer | undefined {
    if (!this.#open) throw new Error("camera: closed (no host data)");
    let oldest: Slot | undefined;
    for (const s of this.#slots) if (s?.state === "ready" && (!oldest || s.id < oldest.id)) oldest = s;
    if (!oldest) return undefined;
    if (this.#format === "buffer") {
      this.#slots[this.#slots.indexOf(oldest)] = undefined;
      return oldest.bytes.slice().buffer;
    }
    oldest.state = "client";
    oldest.buffer = new DisposableFrame(oldest.bytes, this);
    return oldest.buffer;
  }

  /** `_xs_disposable_hostbuffer_close`. */
  release(buffer: DisposableFrame): void {
    if (!this.#open) throw new Error("camera: closed (no host data)");
    const index = this.#slots.findIndex((s) => s?.buffer === buffer);
    if (index < 0) throw new Error("unknown buffer");
    this.#slots[index] = undefined;
    buffer.detach();
    cameraStats.closedByClient++;
  }

  start(): void {
    this.#running = true;
  }

  stop(): void {
    this.#running = false;
    for (let i = 0; i < FRAME_SLOTS; i++) {
      const s = this.#slots[i];
      if (s?.buffer) {
        s.buffer.detach();
        cameraStats.detachedByStop++;
      }
      this.#slots[i] = undefined;
    }
  }

  close(): void {
    this.#open = false;
    this.#running = false;
    if (live === this) live = undefined;
  }

  configure(_options: Record<string, number>): void {}
}

export default Camera;
