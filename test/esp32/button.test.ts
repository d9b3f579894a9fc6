// SPDX-License-Identifier: MIT
// hosts/esp32/button.ts inside XS, through the `embedded:io/digital` fake: bounce, coalesced edges and
// the GPIO's life cycle, with the firmware's debouncer (modules/button.ts) on the host's clock and timers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createEsp32Button } from "../../hosts/esp32/button.js";
import { createEsp32Clock } from "../../hosts/esp32/clock.js";
import { createEsp32Timers } from "../../hosts/esp32/timers.js";
import { createButtonMachine } from "../../modules/button.js";
import type { ButtonEdge } from "../../modules/ports.js";
import { pinClaimed, drivePin } from "../xs/moddable-fakes/digital.js";
import { advance, turn } from "../xs/moddable-fakes/event-loop.js";
import { freshBoard } from "./device.js";

const PIN = 13;

function rig() {
  const log = freshBoard();
  const clock = createEsp32Clock();
  const timers = createEsp32Timers(log);
  const button = createEsp32Button({ pin: PIN, clock, log });
  const presses: number[] = [];
  const edges: ButtonEdge[] = [];
  const machine = createButtonMachine({
    clock,
    timers,
    debounceMs: 30,
    longPressMs: 3000,
    onPress: (atMs) => void presses.push(atMs),
  });
  drivePin(PIN, undefined); // contact open: the pull-up holds the pin high
  button.open({
    onEdge: (edge) => {
      edges.push(edge);
      machine.edge(edge);
    },
  });
  return { log, clock, button, presses, edges };
}

/** The contact chatters for `bounceMs` (a level change every ms) and then rests at `finalLevel`. */
function bounce(bounceMs: number, finalLevel: 0 | 1): void {
  for (let ms = 0; ms < bounceMs; ms++) {
    drivePin(PIN, ms % 2 === 0 ? finalLevel : ((1 - finalLevel) as 0 | 1));
    advance(1);
  }
  drivePin(PIN, finalLevel);
}

describe("ESP32 button on embedded:io/digital", () => {
  test("10 ms of contact bounce gives one ring", () => {
    const { presses, edges } = rig();
    bounce(10, 0); // pressed: contact to GND
    advance(500);
    bounce(10, 1); // released
    advance(500);
    assert.equal(presses.length, 1, `presses: ${JSON.stringify(presses)}`);
    assert.ok(edges.length >= 10, `the bounce reached the port as ${edges.length} edges`);
    assert.equal(presses[0], edges[0].atMs, "the press is dated at the first edge, before the bounce");
  });

  test("edges alternate and are logical (1 = pressed) although the pin is active low", () => {
    const { edges } = rig();
    bounce(6, 0);
    advance(100);
    for (let i = 1; i < edges.length; i++) assert.notEqual(edges[i].level, edges[i - 1].level);
    assert.equal(edges[0].level, 1);
    assert.equal(edges[edges.length - 1].level, 1);
  });

  test("a whole press between two turns of the loop is reported as a coalesced pulse and rings once", () => {
    const { presses, edges } = rig();
    drivePin(PIN, 0);
    drivePin(PIN, 1); // released again before the JS callback ran: the driver merged both edges
    advance(200);
    assert.deepEqual(
      edges.map((e) => [e.level, e.coalesced === true]),
      [
        [1, true],
        [0, true],
      ],
    );
    assert.equal(presses.length, 1);
  });

  test("edges are delivered on a later turn, never inside the wire change", () => {
    const { edges } = rig();
    drivePin(PIN, 0);
    assert.equal(edges.length, 0);
    turn();
    assert.equal(edges.length, 1);
  });

  test("read() without open() probes the pin and gives it back; open() twice is refused", () => {
    const { button } = rig();
    button.close();
    drivePin(PIN, 0);
    assert.equal(button.read(), 1);
    assert.equal(pinClaimed(PIN), false);
    button.open({ onEdge() {} });
    assert.throws(() => button.open({ onEdge() {} }), /already open/);
    button.close();
    assert.equal(pinClaimed(PIN), false);
  });

  test("an onEdge that throws is logged and the next edge still arrives", () => {
    const { button, log } = rig();
    button.close();
    let calls = 0;
    button.open({
      onEdge() {
        calls++;
        throw new Error("firmware bug");
      },
    });
    drivePin(PIN, 0);
    advance(1);
    drivePin(PIN, 1);
    advance(1);
    assert.equal(calls, 2);
    assert.equal(log.at("error", "button").length, 2);
  });
});
