// SPDX-License-Identifier: MIT
// Firmware versions as the update rule compares them: "major.minor.patch", each 0..999999, compared as numbers.
// A running version that does not parse (a development build such as "test") counts as 0.0.0.

const VERSION = Object.freeze(/^(\d{1,6})\.(\d{1,6})\.(\d{1,6})$/);

/** The three numbers, or undefined when `text` is not "major.minor.patch". */
export function parseFirmwareVersion(text: string): [number, number, number] | undefined {
  const m = VERSION.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Negative when a < b, 0 when equal, positive when a > b; an unparsable version counts as 0.0.0. */
export function compareFirmwareVersions(a: string, b: string): number {
  const x = parseFirmwareVersion(a) ?? [0, 0, 0];
  const y = parseFirmwareVersion(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}
