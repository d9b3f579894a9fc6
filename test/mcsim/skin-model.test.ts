// SPDX-License-Identifier: MIT
// The skin's logic without piu (simulator/mcsim/skin/skin-model.ts): one contact for the pointer and the
// keys, and the view state built from the app's messages.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SkinToApp } from "../../hosts/mcsim/skin-messages.js";
import { createSkinModel } from "../../simulator/mcsim/skin/skin-model.js";

function rig() {
  const sent: SkinToApp[] = [];
  return { sent, model: createSkinModel((m) => void sent.push(m)) };
}

describe("mcsim skin model", () => {
  test("a click sends the contact closed, then open", () => {
    const { sent, model } = rig();
    model.press("pointer");
    assert.equal(model.view.pressed, true);
    model.release("pointer");
    assert.deepEqual(sent, [{ button: 1 }, { button: 0 }]);
    assert.equal(model.view.pressed, false);
  });

  test("a held key and a click overlapping make one press; the contact opens when the last lets go", () => {
    const { sent, model } = rig();
    model.press({ key: " " });
    model.press({ key: " " }); // key repeat
    model.press("pointer");
    model.release({ key: " " });
    assert.deepEqual(sent, [{ button: 1 }]);
    model.release("pointer");
    assert.deepEqual(sent, [{ button: 1 }, { button: 0 }]);
  });

  test("b and B are one key; other keys do nothing", () => {
    const { sent, model } = rig();
    model.press({ key: "x" });
    assert.deepEqual(sent, []);
    model.press({ key: "b" });
    model.release({ key: "B" });
    assert.deepEqual(sent, [{ button: 1 }, { button: 0 }]);
  });

  test("the view follows the chime, the LED and the camera, and counts each ring once", () => {
    const { model } = rig();
    assert.ok(model.receive('{"chime":1,"led":1}'));
    assert.ok(model.receive('{"chime":1}'));
    assert.ok(model.receive('{"chime":0}'));
    assert.ok(model.receive('{"chime":1}'));
    assert.deepEqual([model.view.chime, model.view.led, model.view.rings], [1, 1, 2]);
    assert.ok(model.receive('{"cameraError":"in000771.jpg: gone"}'));
    assert.equal(model.view.cameraError, "in000771.jpg: gone");
    assert.ok(model.receive('{"frame":{"name":"in000772.jpg","index":2,"count":50}}'));
    assert.equal(model.view.cameraError, undefined, "a frame clears the camera's error");
    assert.deepEqual(model.view.frame, { name: "in000772.jpg", index: 2, count: 50 });
  });

  test("a message that does not parse changes nothing and keeps its reason", () => {
    const { model } = rig();
    model.receive('{"led":1}');
    assert.equal(model.receive('{"led":1,"chime":"loud"}'), false);
    assert.deepEqual([model.view.led, model.view.chime], [1, 0], "nothing of the refused message was applied");
    assert.equal(model.view.lastRefusal, "chime must be 0 or 1");
  });
});
