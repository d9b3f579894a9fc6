// SPDX-License-Identifier: MIT
// Renders docs/config.md from CONFIG_SCHEMA, so the documented defaults and ranges are the enforced ones.
// `tsx scripts/config-doc.ts --write` rewrites the file; test/node/config-doc.test.ts fails when it is stale.
import { writeFileSync } from "node:fs";
import { CONFIG_SCHEMA, type FieldSpec } from "../modules/config-schema.js";
import { MAX_FRAME_PX, MAX_POLYGON_POINTS, MAX_ZONES } from "../modules/privacy/zones.js";

export function renderConfigDoc(): string {
  const rows = Object.entries(CONFIG_SCHEMA).map(([path, raw]) => {
    const spec = raw as FieldSpec;
    const range =
      spec.kind === "int"
        ? `${spec.min} – ${spec.max}${spec.unit ? ` ${spec.unit}` : ""}`
        : spec.kind === "string"
          ? `≤ ${spec.maxLength} chars${spec.patternDoc ? `; ${spec.patternDoc}` : ""}`
          : spec.kind === "hex"
            ? `${spec.bytes * 2} hex digits, or empty`
            : spec.kind === "zones"
              ? `≤ ${MAX_ZONES} rectangles or polygons of 3 – ${MAX_POLYGON_POINTS} points, within ${MAX_FRAME_PX} px`
              : "true / false";
    const def =
      spec.kind === "string" || spec.kind === "hex"
        ? spec.default === ""
          ? "(empty)"
          : `\`${spec.default}\``
        : spec.kind === "zones"
          ? `\`${JSON.stringify(spec.default)}\``
          : `\`${String(spec.default)}\``;
    return `| \`${path}\` | ${def} | ${range} | ${spec.doc} |`;
  });
  return [
    "# Device configuration",
    "",
    "The device reads one JSON object, validated as a whole against the schema in `modules/config-schema.ts`;",
    "this page is generated from it (`npx tsx scripts/config-doc.ts --write`). Dotted names are nested",
    'objects: `button.debounceMs` is `{"button": {"debounceMs": 30}}`. Missing settings take their defaults,',
    "and an unknown setting is an error, so a typo never silently falls back to a default.",
    "",
    "A config that fails validation is refused field by field (`config button.debounceMs: 5000 is not accepted;",
    "expected an integer from 5 to 200 ms`), and the device keeps running on its last good config. A config",
    "applied at run time is persisted and wins over the flashed one at the next boot.",
    "",
    "| Setting | Default | Accepted | Meaning |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (process.argv.includes("--write")) {
  writeFileSync(new URL("../docs/config.md", import.meta.url), renderConfigDoc());
  console.log("wrote docs/config.md");
}
