// SPDX-License-Identifier: MIT
// Fake of the `screen` global of Moddable's simulator builds (build/simulators/modules/screen.c, SDK 8.2.3),
// the part that carries messages between the app and its mcsim device. As in screen.c: `postMessage` takes a
// string or an ArrayBuffer and hands it to the simulator (here: recorded, for the test to read as the skin);
// a message from the simulator reaches `screen.onMessage` on a later turn of the app's loop, never inside the
// skin's own postMessage (fxScreenInvoke runs from the message pump), as a string for text and an ArrayBuffer
// for binary, and is dropped when no `onMessage` is set at delivery time.
import { post } from "./event-loop.js";

export interface FakeScreen {
  postMessage(message: string | ArrayBuffer): void;
  onMessage?: ((message: string | ArrayBuffer) => void) | undefined;
}

const toSkin: (string | ArrayBuffer)[] = [];

export const fakeScreen: FakeScreen = {
  postMessage(message) {
    toSkin.push(typeof message === "string" ? message : message.slice(0));
  },
};

/** The skin sends `message` to the app: delivered on a later turn of the loop. */
export function skinPosts(message: string | ArrayBuffer): void {
  post(() => fakeScreen.onMessage?.(message));
}

/** Every text message the app posted to the skin since the last reset, parsed. */
export function appPosted(): Record<string, unknown>[] {
  return toSkin.filter((m): m is string => typeof m === "string").map((m) => JSON.parse(m) as Record<string, unknown>);
}

/** Forgets the recorded messages and the app's `onMessage`. */
export function resetScreen(): void {
  toSkin.length = 0;
  fakeScreen.onMessage = undefined;
}
