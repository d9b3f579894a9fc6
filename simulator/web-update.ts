// SPDX-License-Identifier: MIT
// The page's firmware update: POST /api/update?version=x.y.z with the image file's bytes
// (application/octet-stream). The simulator packs it with the owner's keys, as `doorbell update pack` does, and
// the bridge publishes it to the device (docs/ota.md). The body is bounded by the device's slot size.
import type { IncomingMessage } from "node:http";
import { parseFirmwareVersion } from "../modules/update/firmware-version.js";
import type { Simulation } from "./simulation.js";
import { SIM_SLOT_BYTES } from "./sim-updates.js";

export async function handleUpdateUpload(
  sim: Simulation,
  req: IncomingMessage,
  url: URL,
): Promise<{ status: number; body: unknown }> {
  if (!String(req.headers["content-type"]).startsWith("application/octet-stream"))
    return { status: 415, body: { error: "send the image file's bytes (Content-Type: application/octet-stream)" } };
  const version = url.searchParams.get("version") ?? "";
  if (!parseFirmwareVersion(version))
    return {
      status: 400,
      body: { error: `version ${JSON.stringify(version.slice(0, 40))}: expected x.y.z, e.g. 0.2.0` },
    };
  const allowDowngrade = url.searchParams.get("allowDowngrade") === "true";
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > SIM_SLOT_BYTES)
      return { status: 413, body: { error: `the image is larger than the device's ${SIM_SLOT_BYTES}-byte slot` } };
    parts.push(chunk);
  }
  if (size === 0) return { status: 400, body: { error: "the image file is empty" } };
  const info = sim.installUpdate({ image: new Uint8Array(Buffer.concat(parts)), version, allowDowngrade });
  return { status: 200, body: { ok: true, update: info, status: sim.status() } };
}
