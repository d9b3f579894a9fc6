// SPDX-License-Identifier: MIT
// The redactor as the firmware sees it (docs/privacy.md, docs/redaction.md): JPEG bytes and a cell mask in, a
// redacted JPEG or a refusal with a stable code out. The TypeScript redactor (modules/jpeg/redact.ts) is the
// default; a host may bind a native one with the same bytes and codes through `Host.redactor`.
export type { Redactor as JpegRedactor, RedactResult } from "../jpeg/redact.js";
export type { CellMask } from "./zone-cells.js";
