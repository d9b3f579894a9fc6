// SPDX-License-Identifier: MIT
// hosts/mcsim/button.ts and skin-link.ts inside XS on the fake `screen`: the skin's button, through the
// skin model as mcsim's pointer and keys drive it, reaches the firmware's debouncer and gives one press.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32Clock } from "../../hosts/esp32/clock.js";
import { createEsp32Timers } from "../../hosts/esp32/timers.js";
import { createMcsimButton } from "../../hosts/mcsim/button.js";
import { createSkinLink } from "../../hosts/mcsim/skin-link.js";
import { createButtonMachine } from "../../modules/button.js";
import type { ButtonEdge } from "../../modules/ports.js";
import { createSkinModel } from "../../simulator/mcsim/skin/skin-model.js";
import { advance } from "../xs/moddable-fakes/event-loop.js";
import { fakeScreen, skinPosts } from "../xs/moddable-fakes/screen.js";
import { freshDesktop } from "./rig.js";

function rig() {
  const log = freshDesktop();
  const clock = createEsp32Clock();
  const timers = createEsp32Timers(log);
  const link = createSkinLink({ screen: fakeScreen, log });
  const button = createMcsimButton({ link, clock, log });
  const presses: number[] = [];
  const edges: ButtonEdge[] = [];
  const machine = createButtonMachine({
    clock,
    timers,
    debounceMs: 30,
    longPressMs: 3000,
    onPress: (atMs) => void presses.push(atMs),
  });
  button.open({
    onEdge: (edge) => {
      edges.push(edge);
      machine.edge(edge);
    },
  });
  // The skin's side: mcsim's pointer and keys drive the model, which posts to the app.
  const skin = createSkinModel((message) => skinPosts(JSON.stringify(message)));
  return { log, link, button, skin, presses, edges, clock };
}

describe("mcsim button", () => {
  test("a click in the skin is one press of the firmware's debouncer, stamped when it arrived", () => {
    const { skin, presses, edges, button } = rig();
    advance(1000);
    skin.press("pointer");
    advance(120);
    assert.equal(button.read(), 1);
    skin.release("pointer");
    advance(200);
    assert.deepEqual(
      edges.map((e) => [e.level, e.atMs]),
      [
        [1, 1000],
        [0, 1120],
      ],
    );
    assert.equal(presses.length, 1);
    assert.equal(button.read(), 0);
  });

  test("a key held while the button is clicked is still one press", () => {
    const { skin, presses, edges } = rig();
    skin.press({ key: " " });
    advance(50);
    skin.press("pointer");
    advance(50);
    skin.release({ key: " " });
    advance(50);
    skin.release("pointer");
    advance(200);
    assert.deepEqual(
      edges.map((e) => e.level),
      [1, 0],
    );
    assert.equal(presses.length, 1);
  });

  test("the same level twice is no edge; a message that does not parse is logged and dropped", () => {
    const { edges, log } = rig();
    skinPosts('{"button":1}');
    skinPosts('{"button":1}');
    skinPosts('{"button":"down"}');
    skinPosts(new ArrayBuffer(4));
    advance(10);
    assert.equal(edges.length, 1);
    assert.deepEqual(log.at("warn", "skin"), [
      "dropped a message: button must be 0 or 1",
      "dropped a 4-byte binary message; the skin sends JSON text",
    ]);
  });

  test("nothing reaches the firmware after close(), and the link lets go of screen.onMessage", () => {
    const { edges, button, link } = rig();
    button.close();
    skinPosts('{"button":1}');
    advance(10);
    assert.equal(edges.length, 0);
    assert.throws(() => {
      button.open({ onEdge: () => {} });
      button.open({ onEdge: () => {} });
    }, /already open/);
    link.close();
    assert.equal(fakeScreen.onMessage, undefined);
  });
});
