// SPDX-License-Identifier: MIT
// The app's end of the link to its mcsim skin: JSON over the `screen` global that every simulator build
// has (build/simulators/modules/screen.c, SDK 8.2.3). `screen.postMessage(string)` reaches the skin's
// DeviceBehavior.onMessage; a skin's postMessage calls `screen.onMessage(string)` on the app's thread.
// Limit: one link per app, since `screen.onMessage` is a single slot (the SDK's control.js shares it the same way).
import type { LogPort } from "../../modules/ports.js";
import { callSafely } from "../esp32/guard.js";
import { type AppToSkin, parseSkinToApp, type SkinToApp } from "./skin-messages.js";

const TAG = "skin";

/** The part of mcsim's `screen` host object that the link uses (screen.c: postMessage, onMessage). */
export interface McsimScreen {
  postMessage(message: string): void;
  onMessage?: ((message: string | ArrayBuffer) => void) | undefined;
}

export interface SkinLink {
  /** Sends state to the skin; the skin ignores fields it does not know. */
  post(message: AppToSkin): void;
  /** Adds a listener for the skin's messages; returns its removal. */
  listen(listener: (message: SkinToApp) => void): () => void;
  /** Stops listening: `screen.onMessage` is cleared. */
  close(): void;
}

export interface SkinLinkOptions {
  /** Default `globalThis.screen`; a simulator build always has it. */
  screen?: McsimScreen;
  log: LogPort;
}

/** The `screen` global of a simulator build, or a clear error when this is not one. */
export function mcsimScreen(): McsimScreen {
  const screen = (globalThis as { screen?: McsimScreen }).screen;
  if (!screen || typeof screen.postMessage !== "function")
    throw new Error(
      "skin: no `screen` global; the mcsim host runs only in a simulator build (mcconfig -p lin, mac or win)",
    );
  return screen;
}

/** Connects to the skin. Messages that do not parse are logged with the reason and dropped. */
export function createSkinLink(options: SkinLinkOptions): SkinLink {
  const screen = options.screen ?? mcsimScreen();
  const { log } = options;
  const listeners = new Set<(message: SkinToApp) => void>();
  screen.onMessage = (data) => {
    if (typeof data !== "string") {
      log.write("warn", TAG, `dropped a ${data.byteLength}-byte binary message; the skin sends JSON text`);
      return;
    }
    const parsed = parseSkinToApp(data);
    if (!parsed.ok) {
      log.write("warn", TAG, `dropped a message: ${parsed.reason}`);
      return;
    }
    for (const listener of [...listeners]) callSafely(log, TAG, "listener", () => listener(parsed.message));
  };
  return {
    post(message) {
      screen.postMessage(JSON.stringify(message));
    },
    listen(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    close() {
      listeners.clear();
      screen.onMessage = undefined;
    },
  };
}
