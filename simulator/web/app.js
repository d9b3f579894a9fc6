// @ts-check
// SPDX-License-Identifier: MIT
// The simulator's page: listens to /api/stream (Server-Sent Events) and posts actions to /api/<name>.
// Plain browser JavaScript, served as is. Text from the simulation is always set as text, never as HTML.
// Type-checked by `npm run typecheck` (tsconfig.web.json); the records mirror simulator/sim-records.ts.

/**
 * The simulation's state (SimStatus in simulator/sim-records.ts), as far as the page reads it.
 * @typedef {object} Status
 * @property {string} deviceId
 * @property {"off" | "booting" | "on"} power
 * @property {boolean} deviceOnline
 * @property {boolean} wifi
 * @property {boolean} broker
 * @property {"xs" | "node"} engine
 * @property {string} camera
 * @property {"day" | "night"} light
 * @property {boolean} lamp
 * @property {string} motionDetector
 * @property {Zone[]} zones
 * @property {string} firmwareVersion
 * @property {string} [firmwareSlot]
 * @property {{ state: string, id?: string, next?: number, chunks?: number, version?: string, reason?: string }} [update]
 * @property {number} [bootedAt]
 * @property {{ delivery?: Record<string, number>, ring?: Record<string, number> }} [stats]
 */
/**
 * A privacy zone in image pixels (modules/privacy/zone.ts): a rectangle or a polygon.
 * @typedef {{ x: number, y: number, width: number, height: number } | { polygon: [number, number][] }} Zone
 */
/**
 * An event the owner's side opened (EventRecord).
 * @typedef {object} EventRecord
 * @property {number} t
 * @property {string} id
 * @property {string} type
 * @property {number} seq
 * @property {number} atMs
 * @property {number} sealedBytes
 * @property {number} [snapshotBytes]
 * @property {string} [pictureWithheld]
 * @property {number} [frameAgeMs]
 * @property {string} [of]
 * @property {string} [reason]
 * @property {[number, number, number, number]} [box]
 * @property {{cells: number, areaPct: number, light: string, gain: number}} [motion]
 * @property {Record<string, number | string>} [stats]
 */
/**
 * One PUBLISH as the broker saw it (TrafficRecord).
 * @typedef {object} TrafficRecord
 * @property {number} t
 * @property {string} topic
 * @property {"event" | "command" | "status" | "bridge" | "other"} kind
 * @property {number} size
 * @property {string} hex
 * @property {string} [from]
 * @property {number} [seq]
 * @property {string} [text]
 */
/**
 * A log line (LogRecord).
 * @typedef {object} LogRecord
 * @property {number} t
 * @property {"firmware" | "simulator" | "owner"} source
 * @property {"debug" | "info" | "warn" | "error"} level
 * @property {string} tag
 * @property {string} message
 */
/**
 * A camera frame and the detector's overlay (FrameRecord, MotionOverlay).
 * @typedef {object} FrameRecord
 * @property {number} n
 * @property {number} width
 * @property {number} height
 * @property {{ cols: number, rows: number, cells: number[], box?: number[], lighting: boolean, motion: boolean }} [motion]
 */
/**
 * The first message of the stream: the state and the recent history.
 * @typedef {{ status: Status, events: EventRecord[], traffic: TrafficRecord[], logs: LogRecord[] }} Hello
 */

/**
 * The element with this id, checked to be of `type` (HTMLElement by default).
 * @template {HTMLElement} [T=HTMLElement]
 * @param {string} id
 * @param {new () => T} [type]
 * @returns {T}
 */
function $(id, type) {
  const node = document.getElementById(id);
  const want = type ?? HTMLElement;
  if (!(node instanceof want)) throw new Error(`page: no ${want.name} #${id}`);
  return /** @type {T} */ (node);
}
const MIN_PRESS_MS = 120; // a click is shorter than the firmware's 30 ms debounce; a real finger is not
const LIMITS = { events: 100, traffic: 150, logs: 400 };
/** @type {Status | undefined} */
let current;

/**
 * A new element: `class` and `text` set className and textContent, `data-*` set attributes, other keys set
 * properties.
 * @param {string} tag
 * @param {Record<string, string | boolean>} [props]
 * @param {...(Node | string | undefined)} children
 * @returns {HTMLElement}
 */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") node.className = String(v);
    else if (k === "text") node.textContent = String(v);
    else if (k.startsWith("data-")) node.setAttribute(k, String(v));
    else Reflect.set(node, k, v);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** @param {number} t */
const clock = (t) => new Date(t).toLocaleTimeString([], { hour12: false });
/** @param {number} n */
const kb = (n) => (n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

/**
 * Posts an action; shows the status it answers with, or logs its error on the page.
 * @param {string} name
 * @param {object} [body]
 * @returns {Promise<void>}
 */
async function post(name, body = {}) {
  try {
    const res = await fetch(`/api/${name}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const reply = await res.json();
    if (!res.ok) throw new Error(reply.error || res.statusText);
    if (reply.status) showStatus(reply.status);
  } catch (error) {
    const message = `${name}: ${error instanceof Error ? error.message : String(error)}`;
    addLog({ t: Date.now(), source: "simulator", level: "error", tag: "page", message });
  }
}

// ---- the button: pressed while held, with a minimum contact time ----
const ring = $("ring", HTMLButtonElement);
const bouncy = $("bouncy", HTMLInputElement);
let pressedAt = 0;
function press() {
  if (pressedAt) return;
  pressedAt = performance.now();
  ring.classList.add("down");
  post("button", { level: 1, bounce: bouncy.checked });
}
function release() {
  if (!pressedAt) return;
  const wait = Math.max(0, MIN_PRESS_MS - (performance.now() - pressedAt));
  pressedAt = 0;
  setTimeout(() => {
    ring.classList.remove("down");
    post("button", { level: 0, bounce: bouncy.checked });
  }, wait);
}
ring.addEventListener("pointerdown", (e) => {
  ring.setPointerCapture(e.pointerId);
  press();
});
ring.addEventListener("pointerup", release);
ring.addEventListener("pointercancel", release);
/** @param {KeyboardEvent} e */
const isTyping = (e) => e.target instanceof HTMLInputElement && e.target.type !== "checkbox";
/** @param {KeyboardEvent} e */
const isRingKey = (e) => e.key === "r" || e.key === "R" || (e.target === ring && (e.key === " " || e.key === "Enter"));
document.addEventListener("keydown", (e) => {
  if (!isRingKey(e) || isTyping(e) || e.ctrlKey || e.metaKey || e.altKey) return;
  e.preventDefault();
  if (!e.repeat) press();
});
document.addEventListener("keyup", (e) => {
  if (isRingKey(e)) release();
});

// ---- scene and faults ----
$("scene-visitor").onclick = () => post("visitor");
$("scene-light").onclick = () => post("light", { light: current?.light === "night" ? "day" : "night" });
$("scene-lamp").onclick = () => post("lamp", { on: !current?.lamp });
$("fault-wifi").onclick = () => post("wifi", { up: !current?.wifi });
const brokerButton = $("fault-broker", HTMLButtonElement);
brokerButton.onclick = () => {
  // Not e.currentTarget: it is null again once the click has been dispatched, long before the restart ends.
  brokerButton.disabled = true;
  post("broker-restart").finally(() => {
    brokerButton.disabled = current ? !current.broker : false;
  });
};
$("fault-power").onclick = () => post("power-cut");

// ---- firmware update: the image file's bytes, packed and signed by the simulator as the owner would ----
$("update-form").onsubmit = async (e) => {
  e.preventDefault();
  const file = $("update-file", HTMLInputElement).files?.[0];
  const version = $("update-version", HTMLInputElement).value.trim();
  if (!file) return;
  try {
    const res = await fetch(`/api/update?version=${encodeURIComponent(version)}`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: await file.arrayBuffer(),
    });
    const reply = await res.json();
    if (!res.ok) throw new Error(reply.error || res.statusText);
    if (reply.status) showStatus(reply.status);
  } catch (error) {
    const message = `update: ${error instanceof Error ? error.message : String(error)}`;
    addLog({ t: Date.now(), source: "simulator", level: "error", tag: "page", message });
  }
};

/**
 * @param {Status} s
 * @returns {string}
 */
function updateText(s) {
  const u = s.update;
  if (!u) return $("update-state").textContent ?? "";
  if (u.state === "want" && u.chunks) return `Installing ${u.id ?? ""}: chunk ${u.next} of ${u.chunks}`;
  if (u.state === "installed") return `${u.version} written and verified; the device restarts into it`;
  if (u.state === "refused") return `Refused by the device: ${u.reason}`;
  return u.state;
}

// ---- status ----
/**
 * @param {string} id
 * @param {string} text
 * @param {string} [kind] "", "bad", "warn" or "neutral"
 */
function chip(id, text, kind) {
  const node = $(id);
  node.textContent = text;
  node.className = `chip ${kind || ""}`;
}
/** @param {Status} s */
function showStatus(s) {
  current = s;
  chip("chip-power", `Power: ${s.power}`, s.power === "on" ? "" : s.power === "off" ? "bad" : "warn");
  chip("chip-online", `Device: ${s.deviceOnline ? "online" : "offline"}`, s.deviceOnline ? "" : "bad");
  chip("chip-wifi", `Wi-Fi: ${s.wifi ? "up" : "down"}`, s.wifi ? "" : "bad");
  chip("chip-broker", `Broker: ${s.broker ? "up" : "restarting"}`, s.broker ? "" : "warn");
  chip("chip-engine", `Firmware on ${s.engine === "xs" ? "the XS engine" : "Node"}`, "neutral");
  $("camera-source").textContent = s.camera;
  $("camera-off").hidden = s.power === "on";
  const porch = s.camera.startsWith("porch");
  $("scene-controls").hidden = !porch;
  const light = $("scene-light");
  light.textContent = s.light === "night" ? "Night" : "Day";
  light.setAttribute("aria-pressed", String(s.light === "night"));
  light.title = "Switch between day and night lighting";
  const lamp = $("scene-lamp");
  lamp.setAttribute("aria-pressed", String(!!s.lamp));
  lamp.textContent = s.lamp ? "Porch lamp: on" : "Porch lamp: off";
  const wifi = $("fault-wifi");
  wifi.textContent = s.wifi ? "Drop Wi-Fi" : "Restore Wi-Fi";
  wifi.setAttribute("aria-pressed", String(!s.wifi));
  $("fault-power", HTMLButtonElement).disabled = s.power !== "on";
  brokerButton.disabled = !s.broker;
  if (!motionText) $("motion-state").textContent = s.motionDetector;
  const zones = s.zones || [];
  $("zone-count").textContent = zones.length === 1 ? "1 privacy zone" : `${zones.length} privacy zones`;
  redraw();
  showStats(s);
}
/** @param {Status} s */
function showStats(s) {
  const d = s.stats?.delivery || {};
  const r = s.stats?.ring || {};
  /** @type {[string, number | undefined][]} */
  const rows = [
    ["presses", r.presses],
    ["rings", r.rings],
    ["in cooldown", r.suppressed],
    ["outbox", d.queued],
    ["delivered", d.published],
    ["dropped", d.dropped],
  ];
  $("stats").replaceChildren(
    ...rows.map(([k, v]) =>
      el("div", {}, el("dt", { text: k }), el("dd", { text: v === undefined ? "–" : String(v) })),
    ),
  );
  $("update-slot").textContent = s.firmwareSlot ? `${s.firmwareVersion} in slot ${s.firmwareSlot}` : "";
  $("update-state").textContent = updateText(s);
  $("device-uptime").textContent =
    s.power === "on" && s.bootedAt ? `${s.firmwareVersion}, booted ${clock(s.bootedAt)}` : s.power;
}

// ---- camera with the motion overlay ----
const canvas = $("camera-canvas", HTMLCanvasElement);
const ctx = /** @type {CanvasRenderingContext2D} */ (canvas.getContext("2d"));
let loading = false;
/** @type {HTMLImageElement | undefined} */
let lastImage;
/** @type {FrameRecord | undefined} */
let lastFrame;
/** @type {FrameRecord | undefined} */
let pending;
let motionText = "";
/** @param {FrameRecord} f */
function showFrame(f) {
  pending = f;
  if (loading) return;
  loading = true;
  const frame = f;
  pending = undefined;
  const img = new Image();
  img.onload = () => {
    if (canvas.width !== frame.width || canvas.height !== frame.height) {
      canvas.width = frame.width;
      canvas.height = frame.height;
    }
    lastImage = img;
    lastFrame = frame;
    redraw();
    loading = false;
    if (pending) showFrame(pending);
  };
  img.onerror = () => {
    loading = false;
    if (pending) showFrame(pending);
  };
  img.src = `/api/camera/${frame.n}.jpg`;
}
/** Draws the last frame with the motion overlay, the privacy zones and the zone being drawn. */
function redraw() {
  if (lastImage) ctx.drawImage(lastImage, 0, 0);
  if (lastFrame) drawOverlay(lastFrame);
  drawZones();
}
/** @param {FrameRecord} frame */
function drawOverlay(frame) {
  const m = frame.motion;
  if (!m) return;
  const cw = frame.width / m.cols;
  const ch = frame.height / m.rows;
  ctx.fillStyle = "rgba(255, 170, 0, 0.38)";
  ctx.strokeStyle = "rgba(255, 170, 0, 0.9)";
  ctx.lineWidth = 1;
  for (const i of m.cells) {
    const x = (i % m.cols) * cw;
    const y = Math.floor(i / m.cols) * ch;
    ctx.fillRect(x, y, cw, ch);
    ctx.strokeRect(x + 0.5, y + 0.5, cw - 1, ch - 1);
  }
  if (m.box) {
    ctx.strokeStyle = "#ff2bd6";
    ctx.lineWidth = Math.max(2, frame.width / 200);
    ctx.strokeRect(m.box[0], m.box[1], m.box[2], m.box[3]);
  }
  motionText = m.lighting ? "lighting change: not motion" : m.motion ? "motion" : "no motion";
  $("motion-state").textContent = `detector: ${motionText}`;
}

// ---- privacy zones: drawn over the camera; drag to add a rectangle, click one to remove it ----
/** @type {{ x0: number, y0: number, x1: number, y1: number } | undefined} */
let drag;
let sendingZones = false;
/**
 * @param {Zone} z
 * @returns {z is { polygon: [number, number][] }}
 */
const isPolygon = (z) => "polygon" in z;
/** @param {Zone} z */
function zonePath(z) {
  ctx.beginPath();
  if (isPolygon(z)) {
    z.polygon.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
  } else ctx.rect(z.x, z.y, z.width, z.height);
}
function drawZones() {
  ctx.save();
  ctx.lineWidth = Math.max(1.5, canvas.width / 320);
  ctx.setLineDash([6, 4]);
  for (const z of current?.zones || []) {
    zonePath(z);
    ctx.fillStyle = "rgba(128, 128, 128, 0.7)";
    ctx.fill("evenodd");
    ctx.strokeStyle = "#ffffff";
    ctx.stroke();
  }
  if (drag) {
    ctx.strokeStyle = "#39d0ff";
    const r = dragRect(drag);
    ctx.strokeRect(r.x, r.y, r.width, r.height);
  }
  ctx.restore();
}
/**
 * The canvas pixel under a pointer (the canvas is scaled to fit, `object-fit: contain`).
 * @param {PointerEvent} e
 */
function canvasPoint(e) {
  const box = canvas.getBoundingClientRect();
  const scale = Math.min(box.width / canvas.width, box.height / canvas.height);
  const left = box.left + (box.width - canvas.width * scale) / 2;
  const top = box.top + (box.height - canvas.height * scale) / 2;
  const clamp = (/** @type {number} */ v, /** @type {number} */ max) => Math.max(0, Math.min(max, Math.round(v)));
  return { x: clamp((e.clientX - left) / scale, canvas.width), y: clamp((e.clientY - top) / scale, canvas.height) };
}
/** @param {{ x0: number, y0: number, x1: number, y1: number }} d */
function dragRect(d) {
  return {
    x: Math.min(d.x0, d.x1),
    y: Math.min(d.y0, d.y1),
    width: Math.abs(d.x1 - d.x0),
    height: Math.abs(d.y1 - d.y0),
  };
}
/**
 * Whether pixel (x, y) is in zone `z`: the firmware's rules (a rectangle's pixels, a polygon's pixel centres).
 * @param {Zone} z
 * @param {number} x
 * @param {number} y
 */
function inZone(z, x, y) {
  if (!isPolygon(z)) return x >= z.x && x < z.x + z.width && y >= z.y && y < z.y + z.height;
  let inside = false;
  const cx = x + 0.5,
    cy = y + 0.5;
  for (let i = 0, j = z.polygon.length - 1; i < z.polygon.length; j = i++) {
    const [x1, y1] = z.polygon[j];
    const [x2, y2] = z.polygon[i];
    if (y1 <= cy !== y2 <= cy && cx < x1 + ((cy - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
  }
  return inside;
}
/** @param {Zone[]} zones */
function sendZones(zones) {
  sendingZones = true;
  post("zones", { zones }).finally(() => (sendingZones = false));
}
canvas.addEventListener("pointerdown", (e) => {
  if (sendingZones || e.button !== 0) return;
  canvas.setPointerCapture(e.pointerId);
  const p = canvasPoint(e);
  drag = { x0: p.x, y0: p.y, x1: p.x, y1: p.y };
});
canvas.addEventListener("pointermove", (e) => {
  if (!drag) return;
  const p = canvasPoint(e);
  drag.x1 = p.x;
  drag.y1 = p.y;
  redraw();
});
canvas.addEventListener("pointerup", () => {
  if (!drag) return;
  const r = dragRect(drag);
  drag = undefined;
  const zones = current?.zones || [];
  if (r.width >= 4 && r.height >= 4) sendZones([...zones, r]);
  else {
    // A click: remove the topmost zone under it.
    const hit = zones
      .map((z, i) => (inZone(z, r.x, r.y) ? i : -1))
      .filter((i) => i >= 0)
      .pop();
    if (hit !== undefined) sendZones(zones.filter((_, i) => i !== hit));
  }
  redraw();
});
canvas.addEventListener("pointercancel", () => {
  drag = undefined;
  redraw();
});

// ---- the event timeline ----
const timeline = $("timeline");
/**
 * One line about an event: its sequence number, snapshot, frame age, reason, box and counters.
 * @param {EventRecord} e
 */
function describe(e) {
  const parts = [`seq ${e.seq}`];
  if (e.snapshotBytes) parts.push(`snapshot ${kb(e.snapshotBytes)}`);
  if (e.pictureWithheld) parts.push(`picture withheld: ${e.pictureWithheld}`);
  if (e.frameAgeMs !== undefined)
    parts.push(e.frameAgeMs >= 0 ? `frame ${e.frameAgeMs} ms before` : `frame ${-e.frameAgeMs} ms after`);
  if (e.of) parts.push(`follows ${e.of.slice(0, 6)}…`);
  if (e.reason && e.reason !== "follow-up") parts.push(e.reason);
  if (e.motion)
    parts.push(`${e.motion.cells} cells (${e.motion.areaPct}%), light ${e.motion.light}, gain ${e.motion.gain}`);
  if (e.box) parts.push(`box at ${e.box[0]},${e.box[1]} size ${e.box[2]}×${e.box[3]}`);
  if (e.stats)
    parts.push(
      Object.entries(e.stats)
        .slice(0, 4)
        .map(([k, v]) => `${k} ${v}`)
        .join(", "),
    );
  parts.push(`sealed ${kb(e.sealedBytes)}`);
  return parts.join(" · ");
}
/**
 * @param {EventRecord} e
 * @param {boolean} fresh highlighted as just arrived
 */
function addEvent(e, fresh) {
  const minor = e.type === "status";
  const item = el(
    "li",
    {
      class: `event${fresh ? " fresh" : ""}${minor ? " minor" : ""}`,
      "data-testid": "event-item",
      "data-type": e.type,
      "data-seq": String(e.seq),
    },
    el(
      "div",
      { class: "what" },
      el("span", { class: `badge t-${e.type}`, text: e.type.replace("_", " ") }),
      el("time", { text: clock(e.atMs || e.t), dateTime: new Date(e.atMs || e.t).toISOString() }),
    ),
    el("div", { class: "detail", text: describe(e) }),
  );
  if (e.snapshotBytes) {
    const img = /** @type {HTMLImageElement} */ (
      el("img", {
        src: `/api/snapshots/${e.id}.jpg`,
        alt: `Snapshot of the ${e.type}`,
        "data-testid": "snapshot-img",
        loading: "lazy",
      })
    );
    img.onclick = () => {
      $("zoom-img", HTMLImageElement).src = img.src;
      $("zoom", HTMLDialogElement).showModal();
    };
    item.append(img);
  }
  timeline.prepend(item);
  while (timeline.children.length > LIMITS.events) timeline.lastElementChild?.remove();
  $("timeline-empty").hidden = true;
}

// ---- the owner's live view and clips (the bridge's video endpoint, under /owner/) ----
const ownerLive = $("owner-live", HTMLImageElement);
const ownerLiveToggle = $("owner-live-toggle", HTMLButtonElement);
const ownerFigures = $("owner-live-figures");
/** An empty picture: setting it closes the MJPEG connection, so the bridge sees the viewer leave. */
const BLANK = "data:image/gif;base64,R0lGODlhAQABAAAAACwAAAAAAQABAAA=";
/** @type {ReturnType<typeof setInterval> | undefined} */
let figuresTimer;
const deviceId = () => current?.deviceId ?? "frontdoor";

async function showOwnerFigures() {
  try {
    const s = await (await fetch(`/owner/live/${deviceId()}.json`, { cache: "no-store" })).json();
    ownerFigures.textContent = s.frames
      ? `${s.fps} frames/s · delay from capture p50 ${s.delayP50Ms} ms, p99 ${s.delayP99Ms} ms · ${s.viewers} viewer(s)`
      : `Waiting for the first authenticated frame · ${s.viewers} viewer(s)`;
  } catch {
    ownerFigures.textContent = "The owner's bridge is not answering";
  }
}
/** @param {boolean} on */
function watchLive(on) {
  ownerLiveToggle.setAttribute("aria-pressed", String(on));
  ownerLiveToggle.textContent = on ? "Stop watching" : "Watch live view";
  clearInterval(figuresTimer);
  ownerLive.hidden = !on;
  ownerLive.src = on ? `/owner/live/${deviceId()}.mjpeg` : BLANK;
  if (on) {
    figuresTimer = setInterval(showOwnerFigures, 1000);
    void showOwnerFigures();
  } else ownerFigures.textContent = "Not watching.";
}
ownerLiveToggle.onclick = () => watchLive(ownerLiveToggle.getAttribute("aria-pressed") !== "true");

/**
 * A stored clip as the bridge lists it (/clips/<id>.json; bridge/video/clip-sidecar.ts).
 * @typedef {{ path: string, sidecar: { eventSeq?: number, format: string, storedFrames: number, preRollFrames: number,
 *   summary: { gaps: number, complete: boolean } } }} Clip
 */
/** Puts a player for each stored clip under its event in the timeline. */
async function showClips() {
  if (!timeline.querySelector('[data-type="ring"], [data-type="motion_start"], [data-type="motion"]')) return;
  /** @type {Clip[]} */
  let clips;
  try {
    clips = await (await fetch(`/owner/clips/${deviceId()}.json`, { cache: "no-store" })).json();
  } catch {
    return;
  }
  for (const { path, sidecar } of clips) {
    const item = timeline.querySelector(`[data-seq="${sidecar.eventSeq}"]`);
    if (!item || item.querySelector("[data-clip]")) continue;
    const s = sidecar.summary;
    const caption =
      `clip: ${sidecar.storedFrames} frames, ${sidecar.preRollFrames} before the trigger, ` +
      `${s.gaps} missing, ${s.complete ? "complete" : "cut short"}`;
    const player =
      sidecar.format === "mp4"
        ? el("video", {
            controls: true,
            preload: "metadata",
            muted: true,
            src: `/owner/clips/${path.replace(/\.json$/, ".mp4")}`,
            "data-testid": "clip-video",
          })
        : undefined;
    item.append(
      el(
        "div",
        { class: "clip", "data-clip": path },
        player,
        el("p", {
          class: "muted small",
          text: sidecar.format === "mp4" ? caption : `${caption} (kept as JPEG frames: no ffmpeg)`,
        }),
      ),
    );
  }
}
setInterval(() => void showClips(), 3000);

// ---- broker traffic ----
const traffic = $("traffic");
const showBridge = $("show-bridge", HTMLInputElement);
/** @param {TrafficRecord} m */
function addTraffic(m) {
  let bytes;
  if (m.kind === "event" || m.kind === "command") {
    const seq = m.seq !== undefined ? `  (seq ${m.seq} in clear)` : "";
    bytes = el("span", { class: "bytes", text: `sealed: ${m.hex.replace(/(..)/g, "$1 ").trim()} …${seq}` });
  } else if (m.kind === "status") {
    bytes = el("span", {
      class: "bytes plain",
      text: `plain "${m.text}": the device's availability flag${m.from ? "" : " (its last will)"}`,
    });
  } else {
    bytes = el("span", { class: "bytes bridge", text: `plain, from ${m.from || "the broker"}: ${m.text}` });
  }
  const item = el(
    "li",
    { class: `k-${m.kind}` },
    el("time", { text: clock(m.t) }),
    el("span", { class: "topic", text: m.topic, title: m.topic }),
    el("span", { class: "size", text: kb(m.size) }),
    bytes,
  );
  item.hidden = !visibleTraffic(m.kind);
  traffic.prepend(item);
  while (traffic.children.length > LIMITS.traffic) traffic.lastElementChild?.remove();
}
/** @param {string} kind */
const visibleTraffic = (kind) => showBridge.checked || kind === "event" || kind === "command" || kind === "status";
showBridge.onchange = () => {
  for (const li of traffic.children) /** @type {HTMLElement} */ (li).hidden = !visibleTraffic(li.className.slice(2));
};

// ---- logs ----
const logs = $("logs");
/** @param {LogRecord} r */
function addLog(r) {
  const atBottom = logs.scrollHeight - logs.scrollTop - logs.clientHeight < 30;
  const cls =
    r.level === "warn" || r.level === "error"
      ? r.level
      : r.source === "simulator"
        ? "sim"
        : r.source === "owner"
          ? "owner"
          : "";
  logs.append(
    el(
      "li",
      { class: cls },
      el("span", { class: "t", text: `${new Date(r.t).toISOString().slice(11, 23)} ` }),
      el("span", { class: "tag", text: `${r.tag.padEnd(7)} ` }),
      r.message,
    ),
  );
  while (logs.children.length > LIMITS.logs) logs.firstElementChild?.remove();
  if (atBottom) logs.scrollTop = logs.scrollHeight;
}

// ---- the live stream ----
function connect() {
  const source = new EventSource("/api/stream");
  /**
   * @template T
   * @param {string} kind
   * @param {(data: T) => void} fn
   */
  const on = (kind, fn) => source.addEventListener(kind, (e) => fn(JSON.parse(/** @type {MessageEvent} */ (e).data)));
  on("hello", (/** @type {Hello} */ h) => {
    timeline.replaceChildren();
    traffic.replaceChildren();
    logs.replaceChildren();
    $("timeline-empty").hidden = h.events.length > 0;
    h.events.forEach((e) => addEvent(e, false));
    h.traffic.forEach(addTraffic);
    h.logs.forEach(addLog);
    showStatus(h.status);
    chip("chip-link", "Page: live", "neutral");
  });
  on("status", showStatus);
  on("event", (/** @type {EventRecord} */ e) => addEvent(e, true));
  on("traffic", addTraffic);
  on("log", addLog);
  on("frame", showFrame);
  on("chime", () => {
    const chime = $("chime");
    chime.textContent = "Ding-dong!";
    chime.title = "The chime relay was pulsed";
    ring.classList.remove("dinging");
    void ring.offsetWidth;
    ring.classList.add("dinging");
    setTimeout(() => (chime.textContent = ""), 2500);
  });
  source.onerror = () => chip("chip-link", "Page: reconnecting…", "warn");
}
connect();
