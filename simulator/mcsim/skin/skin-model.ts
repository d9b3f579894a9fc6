// SPDX-License-Identifier: MIT
// What the doorbell skin shows and sends, apart from drawing: the button held by the pointer and by keys
// (one contact, closed while any of them holds it), and the view state from the app's messages (chime,
// status LED, the camera's last frame). Runs in mcsim's piu compartment and in tests; no piu in here.
import {
  type AppToSkin,
  type FrameNotice,
  parseAppToSkin,
  type SkinToApp,
} from "../../../hosts/mcsim/skin-messages.js";

/** Keys that press the button while held: the space bar and "b". */
export const BUTTON_KEYS: readonly string[] = Object.freeze([" ", "b", "B"]);

export interface SkinView {
  /** The button's contact as the skin sent it last. */
  pressed: boolean;
  chime: 0 | 1;
  led: 0 | 1;
  /** Times the chime switched on since the skin started. */
  rings: number;
  frame?: FrameNotice;
  cameraError?: string;
  /** The reason the app's last message was refused, if it was. */
  lastRefusal?: string;
}

export interface SkinModel {
  readonly view: Readonly<SkinView>;
  /** A pointer or key went down on the button. Keys other than BUTTON_KEYS are ignored. */
  press(source: "pointer" | { key: string }): void;
  /** The same source let go. */
  release(source: "pointer" | { key: string }): void;
  /** Applies a message from the app; returns false (and keeps the view) when it does not parse. */
  receive(text: string): boolean;
}

/** Creates the model; `post` carries a message to the app (DeviceBehavior.postJSON in the skin). */
export function createSkinModel(post: (message: SkinToApp) => void): SkinModel {
  const holders = new Set<string>();
  const view: SkinView = { pressed: false, chime: 0, led: 0, rings: 0 };
  const sourceId = (source: "pointer" | { key: string }): string | undefined => {
    if (source === "pointer") return "pointer";
    return BUTTON_KEYS.includes(source.key) ? `key:${source.key.toLowerCase()}` : undefined;
  };
  const update = () => {
    const pressed = holders.size > 0;
    if (pressed === view.pressed) return;
    view.pressed = pressed;
    post({ button: pressed ? 1 : 0 });
  };
  const apply = (message: AppToSkin) => {
    if (message.chime !== undefined) {
      if (message.chime === 1 && view.chime === 0) view.rings++;
      view.chime = message.chime;
    }
    if (message.led !== undefined) view.led = message.led;
    if (message.frame) {
      view.frame = message.frame;
      delete view.cameraError;
    }
    if (message.cameraError !== undefined) view.cameraError = message.cameraError;
  };
  return {
    view,
    press(source) {
      const id = sourceId(source);
      if (id === undefined) return;
      holders.add(id);
      update();
    },
    release(source) {
      const id = sourceId(source);
      if (id === undefined) return;
      holders.delete(id);
      update();
    },
    receive(text) {
      const parsed = parseAppToSkin(text);
      if (!parsed.ok) {
        view.lastRefusal = parsed.reason;
        return false;
      }
      delete view.lastRefusal;
      apply(parsed.message);
      return true;
    },
  };
}
