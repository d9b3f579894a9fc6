// SPDX-License-Identifier: MIT
// The JSON between the mcsim app and its skin (hosts/mcsim/skin-messages.ts): what parses, and what is
// refused with a reason that names the field.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAppToSkin, parseSkinToApp } from "../../hosts/mcsim/skin-messages.js";

describe("skin messages", () => {
  test("the skin's button message parses as 0 or 1 and nothing else", () => {
    assert.deepEqual(parseSkinToApp('{"button":1}'), { ok: true, message: { button: 1 } });
    assert.deepEqual(parseSkinToApp('{"button":0,"extra":true}'), { ok: true, message: { button: 0 } });
    for (const text of ['{"button":2}', '{"button":"1"}', "{}"])
      assert.deepEqual(parseSkinToApp(text), { ok: false, reason: "button must be 0 or 1" }, text);
    assert.deepEqual(parseSkinToApp("[1]"), { ok: false, reason: "not a JSON object" });
    assert.deepEqual(parseSkinToApp("{button"), { ok: false, reason: "not JSON" });
  });

  test("the app's state messages parse field by field; a bad field refuses the whole message", () => {
    assert.deepEqual(parseAppToSkin('{"chime":1,"led":0}'), { ok: true, message: { chime: 1, led: 0 } });
    assert.deepEqual(parseAppToSkin('{"frame":{"name":"a.jpg","index":2,"count":5}}'), {
      ok: true,
      message: { frame: { name: "a.jpg", index: 2, count: 5 } },
    });
    assert.deepEqual(parseAppToSkin('{"cameraError":"gone"}'), { ok: true, message: { cameraError: "gone" } });
    assert.deepEqual(parseAppToSkin('{"chime":1,"led":"on"}'), { ok: false, reason: "led must be 0 or 1" });
    assert.equal(parseAppToSkin('{"frame":{"name":"a.jpg","index":1.5,"count":5}}').ok, false);
    assert.equal(parseAppToSkin('{"cameraError":3}').ok, false);
  });
});
