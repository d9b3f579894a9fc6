// SPDX-License-Identifier: MIT
// The messages between the doorbell app (mc.so, hosts/mcsim) and its mcsim skin (simulator/mcsim/skin),
// carried as JSON strings by mcsim's `screen.postMessage`. Both sides import this file, so the shapes are
// defined once. Anything that does not parse is refused with a reason, never half-applied.

/** From the skin to the app: the doorbell button's contact, 1 = closed (pressed). */
export interface SkinToApp {
  button: 0 | 1;
}

/** The camera frame the app delivered last, for the skin's camera panel. */
export interface FrameNotice {
  /** File name inside the frames folder. */
  name: string;
  /** 0-based position in name order. */
  index: number;
  /** Frames in the folder. */
  count: number;
}

/** From the app to the skin: any subset of the board's outputs and the camera's state. */
export interface AppToSkin {
  /** The chime relay driver's level, 1 = ringing. */
  chime?: 0 | 1;
  /** The status LED, 1 = lit. */
  led?: 0 | 1;
  frame?: FrameNotice;
  /** Why the camera delivers no frames (a missing folder, an unreadable file); cleared by the next frame. */
  cameraError?: string;
}

export type Parsed<T> = { ok: true; message: T } | { ok: false; reason: string };

function parseObject(text: string): Record<string, unknown> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  return value as Record<string, unknown>;
}

const isLevel = (value: unknown): value is 0 | 1 => value === 0 || value === 1;

/** Parses a message from the skin; the reason names the field and what is accepted. */
export function parseSkinToApp(text: string): Parsed<SkinToApp> {
  const object = parseObject(text);
  if (typeof object === "string") return { ok: false, reason: object };
  if (!isLevel(object.button)) return { ok: false, reason: "button must be 0 or 1" };
  return { ok: true, message: { button: object.button } };
}

/** Parses a message from the app; unknown fields are ignored, known ones must have their type. */
export function parseAppToSkin(text: string): Parsed<AppToSkin> {
  const object = parseObject(text);
  if (typeof object === "string") return { ok: false, reason: object };
  const message: AppToSkin = {};
  for (const key of ["chime", "led"] as const) {
    if (object[key] === undefined) continue;
    if (!isLevel(object[key])) return { ok: false, reason: `${key} must be 0 or 1` };
    message[key] = object[key];
  }
  if (object.frame !== undefined) {
    const frame = object.frame as Partial<FrameNotice> | null;
    if (
      typeof frame !== "object" ||
      frame === null ||
      typeof frame.name !== "string" ||
      !Number.isInteger(frame.index) ||
      !Number.isInteger(frame.count)
    )
      return { ok: false, reason: "frame must be {name: string, index: integer, count: integer}" };
    message.frame = { name: frame.name, index: frame.index as number, count: frame.count as number };
  }
  if (object.cameraError !== undefined) {
    if (typeof object.cameraError !== "string") return { ok: false, reason: "cameraError must be a string" };
    message.cameraError = object.cameraError;
  }
  return { ok: true, message };
}
