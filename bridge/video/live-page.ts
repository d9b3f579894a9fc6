// SPDX-License-Identifier: MIT
// A one-doorbell page for browsers: the live MJPEG view as the bridge serves it, with the frame rate and the
// delay from capture that the bridge measures (/live/<id>.json, polled once a second).

/** The page for `deviceId` (an id already checked against the served devices: letters, digits, '_', '-'). */
export function livePage(deviceId: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Doorbell ${deviceId}: live view</title>
<style>body{font:15px system-ui,sans-serif;margin:1rem;background:#111;color:#eee}
img{display:block;max-width:100%;background:#000;min-width:320px;min-height:240px}
#figures{margin:.5rem 0;font-variant-numeric:tabular-nums}</style></head>
<body><h1>${deviceId}: live view</h1>
<img id="live" src="${deviceId}.mjpeg" alt="live view of ${deviceId}">
<p id="figures">waiting for the first frame</p>
<script>
const figures = document.getElementById("figures");
async function poll() {
  try {
    const s = await (await fetch("${deviceId}.json", { cache: "no-store" })).json();
    figures.textContent = s.frames
      ? s.fps + " frames/s, delay from capture p50 " + s.delayP50Ms + " ms, p99 " + s.delayP99Ms + " ms, " +
        s.viewers + " viewer(s)"
      : "waiting for the first frame (" + s.viewers + " viewer(s))";
  } catch (e) { figures.textContent = "bridge unreachable"; }
}
poll(); setInterval(poll, 1000);
</script></body></html>
`;
}
