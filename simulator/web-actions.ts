// SPDX-License-Identifier: MIT
// The page's actions (POST /api/<name> with a JSON body): the button, the scene, the three faults and the privacy
// zones. Each body is checked, and a bad one gets a 400 that says what is expected.
import { formatZoneErrors, parseZones } from "../modules/privacy/zones.js";
import type { Simulation } from "./simulation.js";

export interface ActionResult {
  status: number;
  body: unknown;
}

type Body = Record<string, unknown>;

/** A body refused with its own explanation. */
class Refused {
  constructor(readonly error: string) {}
}

const ACTIONS: Record<string, { expects: string; run(sim: Simulation, body: Body): Promise<unknown> | unknown }> = {
  button: {
    expects: `{"level": 0 or 1, "bounce": true or false}`,
    run(sim, b) {
      if (b.level !== 0 && b.level !== 1) return invalid;
      sim.button(b.level, b.bounce === false ? 0 : undefined);
    },
  },
  wifi: {
    expects: `{"up": true or false}`,
    run(sim, b) {
      if (typeof b.up !== "boolean") return invalid;
      sim.setWifi(b.up);
    },
  },
  "broker-restart": { expects: "{}", run: (sim) => sim.restartBroker() },
  "power-cut": { expects: "{}", run: (sim) => sim.powerCut() },
  visitor: { expects: "{}", run: (sim) => sim.sendVisitor() },
  light: {
    expects: `{"light": "day" or "night"}`,
    run(sim, b) {
      if (b.light !== "day" && b.light !== "night") return invalid;
      sim.setLight(b.light);
    },
  },
  lamp: {
    expects: `{"on": true or false}`,
    run(sim, b) {
      if (typeof b.on !== "boolean") return invalid;
      sim.setLamp(b.on);
    },
  },
  zones: {
    expects: `{"zones": [...]}, a list of {"x", "y", "width", "height"} and {"polygon": [[x, y], ...]} in image pixels`,
    async run(sim, b) {
      const r = parseZones(b.zones);
      if (!r.ok) return new Refused(formatZoneErrors("zones", r.errors));
      await sim.setZones(r.zones);
    },
  },
};

const invalid = Symbol("invalid");

export async function handleAction(sim: Simulation, name: string, body: unknown): Promise<ActionResult> {
  const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  if (!action)
    return { status: 404, body: { error: `no action ${name}; expected one of ${Object.keys(ACTIONS).join(", ")}` } };
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { status: 400, body: { error: `expected ${action.expects}` } };
  const result = await action.run(sim, body as Body);
  if (result === invalid) return { status: 400, body: { error: `expected ${action.expects}` } };
  if (result instanceof Refused) return { status: 400, body: { error: result.error } };
  return { status: 200, body: { ok: true, status: sim.status() } };
}
