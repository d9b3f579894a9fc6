// SPDX-License-Identifier: MIT
// `node scripts/check-doc-links.mjs [files...]`: every relative link in README.md and docs/*.md (or the files
// given) must name an existing file and, with a #fragment, a heading of that file by GitHub's slug rules.
// Limits: Markdown inline links and images only (no reference-style links, no HTML anchors); web links unchecked.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The text outside fenced code blocks and inline code spans, line by line (fences kept as blank lines). */
function proseLines(text) {
  let fence = false;
  return text.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fence = !fence;
      return "";
    }
    return fence ? "" : line.replace(/`[^`]*`/g, "``");
  });
}

/** GitHub's anchor for a heading: the rendered text, lowercased, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // a link or image keeps its text
    .replace(/<[^>]+>/g, "") // inline HTML
    .replace(/[*`]/g, "") // emphasis and code marks
    .replace(/(^|\s)_+|_+(\s|$)/g, "$1$2"); // underscore emphasis at word edges
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
    .replace(/ /g, "-");
}

/** Every anchor a Markdown file offers: its headings' slugs, repeated ones numbered -1, -2... */
function anchorsOf(file) {
  const seen = new Map();
  const anchors = new Set();
  const raw = readFileSync(file, "utf8").split("\n");
  const prose = proseLines(raw.join("\n"));
  for (const [i, line] of raw.entries()) {
    if (!prose[i]) continue; // inside a code block
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

const files =
  process.argv.length > 2
    ? process.argv.slice(2).map((f) => resolve(f))
    : [
        join(root, "README.md"),
        ...readdirSync(join(root, "docs"))
          .filter((f) => f.endsWith(".md"))
          .map((f) => join(root, "docs", f)),
      ];

const problems = [];
let checked = 0;
for (const file of files) {
  proseLines(readFileSync(file, "utf8")).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      checked++;
      const [path, fragment] = target.split("#", 2);
      const where = `${relative(root, file)}:${i + 1}: ${target}`;
      const dest = path ? resolve(dirname(file), decodeURI(path)) : file;
      if (!existsSync(dest)) {
        problems.push(`${where}: no such file`);
        continue;
      }
      if (fragment === undefined) continue;
      if (statSync(dest).isDirectory() || !dest.endsWith(".md"))
        problems.push(`${where}: an anchor into a non-Markdown file`);
      else if (!anchorsOf(dest).has(decodeURIComponent(fragment)))
        problems.push(`${where}: no heading with this anchor`);
    }
  });
}
if (problems.length) {
  console.error(`${problems.length} broken link(s):\n${problems.join("\n")}`);
  process.exit(1);
}
console.log(`doc links: ${checked} relative links in ${files.length} files, all resolve`);
