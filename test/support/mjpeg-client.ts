// SPDX-License-Identifier: MIT
// A plain HTTP client of the bridge's MJPEG endpoint for tests: the response head and every part as it arrives.
import { get, type IncomingMessage } from "node:http";
import { createMjpegReader, type MjpegPart } from "../../bridge/video/mjpeg.js";

export interface MjpegClient {
  status: number;
  headers: IncomingMessage["headers"];
  parts: MjpegPart[];
  close(): void;
}

/** Opens `url` and resolves once the response head arrived; the parts then fill in. */
export function openMjpeg(url: string, headers: Record<string, string> = {}): Promise<MjpegClient> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers }, (res) => {
      const parts: MjpegPart[] = [];
      const read = createMjpegReader((p) => parts.push(p));
      if (res.statusCode === 200) res.on("data", (chunk: Buffer) => read(chunk));
      else res.resume();
      res.on("error", () => undefined);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, parts, close: () => req.destroy() });
    });
    req.on("error", reject);
  });
}

/** GETs `url` whole: status, headers and body. */
export function fetchBytes(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    }).on("error", reject);
  });
}
