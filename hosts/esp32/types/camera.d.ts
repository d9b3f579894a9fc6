// SPDX-License-Identifier: MIT
// Types for Moddable's experimental ECMA-419 camera, `embedded:io/image/in/camera`, which neither the
// SDK nor @moddable/typings types. Written from the SDK 8.2.3 ESP32 implementation; only the JPEG path
// is used here. Mapped to its specifier in manifest.json, so it feeds the build's `paths` only.

declare module "embedded:io/image/in/camera" {
  /** How `read()` hands out frames. */
  export type CameraFormat = "buffer" | "buffer/disposable";

  /**
   * A frame from `read()` in "buffer/disposable" format: a HostBuffer pointing straight into PSRAM.
   * Wrap it with `new Uint8Array(frame)`. Must be closed, or the camera runs out of its 3 buffers.
   * `stop()` detaches outstanding frames (their `close()` then does nothing); closing one after the
   * camera itself was closed without `stop()` throws "unknown buffer" or a host-data error.
   */
  export interface DisposableFrame extends HostBuffer {
    readonly byteLength: number;
    close(): void;
  }

  export interface CameraOptions<F extends CameraFormat> {
    /** Requested width in pixels; the driver picks the smallest sensor size at least this wide. Default 240. */
    width?: number;
    /** Requested height in pixels. Default 176. */
    height?: number;
    /** "jpeg" for sensor-side JPEG, or a Commodetto pixel format number (default 7, RGB565LE). */
    imageType?: "jpeg" | number;
    /** Default "buffer" (a copy per frame). */
    format?: F;
    /** Runs on the JS thread after the capture task queued a frame; read() until it returns undefined. */
    onReadable?: (this: Camera<F>, count: number) => void;
    target?: unknown;
  }

  /** Sensor settings; the SDK's `configuration` getter reports contrast under the misspelt key "conrast". */
  export interface CameraConfiguration {
    brightness?: number;
    contrast?: number;
    saturation?: number;
    sharpness?: number;
    denoise?: number;
    whiteBalance?: number;
  }

  /** One instance owns the sensor; the constructor blocks until the sensor is initialised and throws "camera init failed". */
  export default class Camera<F extends CameraFormat = "buffer"> {
    constructor(options: CameraOptions<F>);
    /** The oldest ready frame, or undefined when none is ready. */
    read(): (F extends "buffer/disposable" ? DisposableFrame : ArrayBuffer) | undefined;
    /** "buffer" format only: copies the oldest frame into `buffer`; returns its byte count. */
    read(buffer: ArrayBuffer | Uint8Array): number | undefined;
    start(): void;
    /** Stops capture and detaches every frame still held by the caller. */
    stop(): void;
    close(): void;
    configure(options: CameraConfiguration): void;
    format: CameraFormat;
    readonly imageType: "jpeg" | number;
    /** Actual frame width in pixels, known once the constructor returns. */
    readonly width: number;
    readonly height: number;
    readonly identification: { model: string };
    readonly configuration: CameraConfiguration;
  }
}
