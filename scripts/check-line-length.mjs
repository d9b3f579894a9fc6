// SPDX-License-Identifier: MIT
// Part of npm run lint: no source line over 140 characters (Biome wraps code at 120, but not strings or
// comments). No exceptions: a long table row or string is split.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const MAX_COLUMNS = 140;
const files = execFileSync("git", ["ls-files", "-co", "--exclude-standard", "*.ts", "*.js", "*.mjs", "*.c", "*.h"], {
  encoding: "utf8",
})
  .split("\n")
  .filter(Boolean);
const long = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // deleted in the work tree
  }
  text.split("\n").forEach((line, i) => {
    if (line.length > MAX_COLUMNS) long.push(`${file}:${i + 1}: ${line.length} columns`);
  });
}
if (long.length) {
  console.error(`${long.length} line(s) over ${MAX_COLUMNS} columns; wrap them:\n${long.join("\n")}`);
  process.exit(1);
}
console.log(`line length: ${files.length} files, none over ${MAX_COLUMNS} columns`);
