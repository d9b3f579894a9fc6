// SPDX-License-Identifier: MIT
// Runs inside xsnap-worker for bench/redaction.ts: the TypeScript redactor fed one frame per command, so each crank's
// meter is one frame's cost. Command byte 0: set the mask (uint16 width and height in cells, then the cells); 1: redact
// the JPEG that follows; 2: the same bytes, no work (the baseline).
import { createRedactor } from "../../modules/jpeg/redact.js";
import type { CellMask } from "../../modules/privacy/zone-cells.js";

const g = globalThis as unknown as { handleCommand(command: ArrayBuffer): ArrayBuffer };
const redactor = createRedactor();
let mask: CellMask = { widthCells: 0, heightCells: 0, cells: new Uint8Array(0) };

g.handleCommand = (command) => {
  const bytes = new Uint8Array(command);
  const op = bytes[0];
  if (op === 0) {
    const widthCells = bytes[1] | (bytes[2] << 8),
      heightCells = bytes[3] | (bytes[4] << 8);
    mask = { widthCells, heightCells, cells: bytes.slice(5, 5 + widthCells * heightCells) };
  } else if (op === 1) {
    const r = redactor.redact(bytes.subarray(1), mask);
    if (!r.ok) throw new Error(`redaction refused: ${r.reason}`);
    return new Uint8Array([r.mcusRedacted & 255, r.mcusRedacted >> 8]).buffer;
  }
  return new ArrayBuffer(0);
};
