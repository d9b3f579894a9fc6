// SPDX-License-Identifier: MIT
// A zones file (`--zones <file>`): a JSON array of privacy zones in image pixels, validated by the firmware's own
// parseZones, so its errors name the file, the zone and the field (docs/privacy.md).
import { readFileSync } from "node:fs";
import type { Zone } from "../modules/privacy/zone.js";
import { formatZoneErrors, parseZones } from "../modules/privacy/zones.js";

/** Reads and validates `path`; throws an error naming the file and every bad zone field. */
export function readZonesFile(path: string): Zone[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`--zones ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`--zones ${path}: not JSON (${(error as Error).message}); expected a JSON array of zones`);
  }
  const r = parseZones(raw);
  if (!r.ok) throw new Error(formatZoneErrors(`--zones ${path}`, r.errors));
  return r.zones;
}
