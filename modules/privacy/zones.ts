// SPDX-License-Identifier: MIT
// Validates privacy zones (a JSON array of rectangles and polygons in image pixels), for the config's
// `privacy.zones` and for a zones file. Every error names the zone's index, the field, the value and what is accepted.
import type { Zone } from "./zone.js";

/** Most zones in one set. */
export const MAX_ZONES = 16;
/** Most vertices of one polygon. */
export const MAX_POLYGON_POINTS = 32;
/** Largest frame side in pixels a zone may reach (the OV2640's UXGA is 1600 x 1200). */
export const MAX_FRAME_PX = 4096;

/** One problem: `path` is relative to the zones array, e.g. `[2].width` or `[0].polygon[3]`. */
export interface ZoneError {
  path: string;
  value: string;
  accepted: string;
}

export type ZonesResult = { ok: true; zones: Zone[] } | { ok: false; errors: ZoneError[] };

const RECT_KEYS = Object.freeze(["x", "y", "width", "height"] as const);
const COORDINATE = `an integer from 0 to ${MAX_FRAME_PX} (image pixels)`;
const ZONE_SHAPE = `a rectangle {"x", "y", "width", "height"} or a polygon {"polygon": [[x, y], ...]}`;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : "an object";
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCoordinate = (v: unknown): v is number =>
  Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_FRAME_PX;

function rectangle(raw: Record<string, unknown>, at: string, errors: ZoneError[]): Zone | undefined {
  const before = errors.length;
  for (const key of Object.keys(raw))
    if (!(RECT_KEYS as readonly string[]).includes(key))
      errors.push({
        path: `${at}.${key}`,
        value: describe(raw[key]),
        accepted: `only x, y, width and height in a rectangle`,
      });
  for (const key of RECT_KEYS) {
    const v = raw[key];
    const size = key === "width" || key === "height";
    const min = size ? 1 : 0;
    const max = size ? MAX_FRAME_PX : MAX_FRAME_PX - 1;
    if (!Number.isInteger(v) || (v as number) < min || (v as number) > max)
      errors.push({
        path: `${at}.${key}`,
        value: describe(v),
        accepted: `an integer from ${min} to ${max} (image pixels)`,
      });
  }
  if (errors.length > before) return undefined;
  const r = { x: raw.x as number, y: raw.y as number, width: raw.width as number, height: raw.height as number };
  if (r.x + r.width > MAX_FRAME_PX)
    errors.push({ path: `${at}.width`, value: String(r.width), accepted: `x + width at most ${MAX_FRAME_PX}` });
  if (r.y + r.height > MAX_FRAME_PX)
    errors.push({ path: `${at}.height`, value: String(r.height), accepted: `y + height at most ${MAX_FRAME_PX}` });
  return errors.length > before ? undefined : r;
}

function polygon(raw: Record<string, unknown>, at: string, errors: ZoneError[]): Zone | undefined {
  const before = errors.length;
  for (const key of Object.keys(raw))
    if (key !== "polygon")
      errors.push({ path: `${at}.${key}`, value: describe(raw[key]), accepted: "only polygon in a polygon zone" });
  const points = raw.polygon;
  if (!Array.isArray(points) || points.length < 3 || points.length > MAX_POLYGON_POINTS) {
    const value = Array.isArray(points) ? `${points.length} points` : describe(points);
    errors.push({ path: `${at}.polygon`, value, accepted: `a list of 3 to ${MAX_POLYGON_POINTS} [x, y] points` });
    return undefined;
  }
  points.forEach((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every(isCoordinate)) {
      const value = Array.isArray(p) ? JSON.stringify(p).slice(0, 40) : describe(p);
      errors.push({ path: `${at}.polygon[${i}]`, value, accepted: `an [x, y] point, each ${COORDINATE}` });
    }
  });
  if (errors.length > before) return undefined;
  return { polygon: points.map((p) => [p[0], p[1]] as [number, number]) };
}

/**
 * Validates `raw` (parsed JSON) as a list of privacy zones: at most MAX_ZONES rectangles `{ x, y, width, height }`
 * (width and height at least 1, inside MAX_FRAME_PX) and polygons `{ polygon: [[x, y], ...] }` (3 to
 * MAX_POLYGON_POINTS integer points). Returns fresh zone objects, or every error found.
 */
export function parseZones(raw: unknown): ZonesResult {
  if (!Array.isArray(raw))
    return { ok: false, errors: [{ path: "", value: describe(raw), accepted: `a list of zones, each ${ZONE_SHAPE}` }] };
  const errors: ZoneError[] = [];
  if (raw.length > MAX_ZONES)
    errors.push({ path: "", value: `${raw.length} zones`, accepted: `at most ${MAX_ZONES} zones` });
  const zones: Zone[] = [];
  raw.slice(0, MAX_ZONES).forEach((item: unknown, i) => {
    const at = `[${i}]`;
    const zone = !isObject(item)
      ? void errors.push({ path: at, value: describe(item), accepted: ZONE_SHAPE })
      : "polygon" in item
        ? polygon(item, at, errors)
        : rectangle(item, at, errors);
    if (zone) zones.push(zone);
  });
  return errors.length ? { ok: false, errors } : { ok: true, zones };
}

/** Formats zone errors one per line, as the config does: `<label>[2].width: -5 is not accepted; expected ...`. */
export function formatZoneErrors(label: string, errors: readonly ZoneError[]): string {
  return errors.map((e) => `${label}${e.path}: ${e.value} is not accepted; expected ${e.accepted}`).join("\n");
}
