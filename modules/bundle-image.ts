// SPDX-License-Identifier: MIT
// The device bundle as it lies in its own flash partition ("doorbell-bundle/1", docs/build-and-flash.md):
// a 48-byte header (magic, version, body length, SHA-256 of the body, commit word) then the files, each
// named. The same code writes the image at provisioning (Node) and reads it on the device (XS). Limit: the
// check is an integrity check, not authentication; whoever can write the flash can write a bundle.
import { ascii, readUintBE, writeUintBE } from "./bytes.js";
import { sha256 } from "./update/sha256.js";

/** "DBND": the first four bytes of a bundle partition that holds a bundle. */
export const BUNDLE_MAGIC = Object.freeze([0x44, 0x42, 0x4e, 0x44]);
export const BUNDLE_IMAGE_VERSION = 1;
/** Header bytes: magic (4), version (1), 3 zero bytes, body length (u32 BE), SHA-256 of the body (32), commit (4). */
export const BUNDLE_HEADER_BYTES = 48;
/** Where the commit word sits: 0 once the bundle is whole; anything else (erased: 0xFFFFFFFF) while a write is under way. */
export const BUNDLE_COMMIT_OFFSET = 44;
const DIGEST_OFFSET = 12;
const MAX_NAME_BYTES = 64;
const MAX_FILES = 16;

export interface BundleFile {
  /** The file's name, as `device-config.json` names it (ASCII, 1 to 64 characters). */
  name: string;
  bytes: Uint8Array;
}

/** A bundle partition that cannot be used: `reason` says what is wrong with it, never what it holds. */
export class BundleImageError extends Error {}

function fail(reason: string): never {
  throw new BundleImageError(reason);
}

/** The body: for each file, its name's length (u8), the name, the file's length (u32 BE) and the file. */
export function encodeBundleBody(files: readonly BundleFile[]): Uint8Array {
  if (files.length === 0 || files.length > MAX_FILES)
    fail(`a bundle holds 1 to ${MAX_FILES} files, not ${files.length}`);
  const names = files.map((f) => {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(f.name)) fail(`file name "${f.name}" is not 1 to 64 of A-Z a-z 0-9 . _ -`);
    return ascii(f.name);
  });
  let n = 0;
  for (let i = 0; i < files.length; i++) n += 1 + names[i].length + 4 + files[i].bytes.length;
  const body = new Uint8Array(n);
  let at = 0;
  for (let i = 0; i < files.length; i++) {
    body[at++] = names[i].length;
    body.set(names[i], at);
    at += names[i].length;
    body.set(writeUintBE(files[i].bytes.length, 4), at);
    body.set(files[i].bytes, at + 4);
    at += 4 + files[i].bytes.length;
  }
  return body;
}

/** The header for `body`; `committed` false leaves the commit word erased, to be written last. */
export function encodeBundleHeader(body: Uint8Array, committed = true): Uint8Array {
  const header = new Uint8Array(BUNDLE_HEADER_BYTES);
  header.set(BUNDLE_MAGIC, 0);
  header[4] = BUNDLE_IMAGE_VERSION;
  header.set(writeUintBE(body.length, 4), 8);
  header.set(sha256(body), DIGEST_OFFSET);
  header.fill(committed ? 0 : 0xff, BUNDLE_COMMIT_OFFSET, BUNDLE_HEADER_BYTES);
  return header;
}

/** The whole partition image for `esptool.py write_flash`: header, body, then erased bytes (0xFF) up to `partitionBytes`. */
export function encodeBundleImage(files: readonly BundleFile[], partitionBytes: number): Uint8Array {
  const body = encodeBundleBody(files);
  const max = partitionBytes - BUNDLE_HEADER_BYTES;
  if (body.length > max) fail(`the bundle is ${body.length} bytes; its ${partitionBytes}-byte partition holds ${max}`);
  const image = new Uint8Array(partitionBytes).fill(0xff);
  image.set(encodeBundleHeader(body), 0);
  image.set(body, BUNDLE_HEADER_BYTES);
  return image;
}

export type BundleHeaderState =
  /** Never written (all 0xFF). */
  | { state: "empty" }
  /** A write began and was cut before its commit word: nothing in it counts. */
  | { state: "unfinished" }
  | { state: "committed"; bodyLength: number; digest: Uint8Array };

/** Reads a header; throws a BundleImageError when it is neither erased, nor unfinished, nor a valid committed one. */
export function readBundleHeader(header: Uint8Array, partitionBytes: number): BundleHeaderState {
  if (header.length < BUNDLE_HEADER_BYTES) fail(`header truncated: ${header.length} of ${BUNDLE_HEADER_BYTES} bytes`);
  let erased = true;
  for (let i = 0; i < BUNDLE_HEADER_BYTES; i++) if (header[i] !== 0xff) erased = false;
  if (erased) return { state: "empty" };
  for (let i = 0; i < 4; i++)
    if (header[i] !== BUNDLE_MAGIC[i]) fail("no bundle magic (DBND): not a bundle partition image");
  // Only the commit write programs these bytes, and NOR flash programming only clears bits: anything but zero is a
  // commit write that a reset cut short (or never began).
  if (readUintBE(header, BUNDLE_COMMIT_OFFSET, 4) !== 0) return { state: "unfinished" };
  if (header[4] !== BUNDLE_IMAGE_VERSION)
    fail(`format version ${header[4]}; this firmware reads ${BUNDLE_IMAGE_VERSION}`);
  const bodyLength = readUintBE(header, 8, 4);
  const max = partitionBytes - BUNDLE_HEADER_BYTES;
  if (bodyLength < 1 || bodyLength > max) fail(`body length ${bodyLength} outside 1..${max}`);
  return { state: "committed", bodyLength, digest: header.slice(DIGEST_OFFSET, DIGEST_OFFSET + 32) };
}

/** Checks the body against the header's SHA-256, then splits it into its files (in order). */
export function decodeBundleBody(body: Uint8Array, digest: Uint8Array): BundleFile[] {
  const actual = sha256(body);
  let diff = 0;
  for (let i = 0; i < 32; i++) diff |= actual[i] ^ digest[i];
  if (diff !== 0) fail("SHA-256 of the body does not match its header (damaged or partly overwritten)");
  const files: BundleFile[] = [];
  let at = 0;
  while (at < body.length) {
    if (files.length === MAX_FILES) fail(`more than ${MAX_FILES} files`);
    const nameLength = body[at];
    if (nameLength < 1 || nameLength > MAX_NAME_BYTES || at + 1 + nameLength + 4 > body.length)
      fail(`file ${files.length + 1}: truncated entry`);
    let name = "";
    for (let i = 0; i < nameLength; i++) name += String.fromCharCode(body[at + 1 + i]);
    if (!/^[A-Za-z0-9._-]+$/.test(name)) fail(`file ${files.length + 1}: name is not A-Z a-z 0-9 . _ -`);
    const sizeAt = at + 1 + nameLength;
    const size = readUintBE(body, sizeAt, 4);
    if (sizeAt + 4 + size > body.length) fail(`file ${name}: ${size} bytes run past the body`);
    if (files.some((f) => f.name === name)) fail(`file ${name} appears twice`);
    files.push({ name, bytes: body.slice(sizeAt + 4, sizeAt + 4 + size) });
    at = sizeAt + 4 + size;
  }
  return files;
}

/** Decodes a whole partition image (the inverse of encodeBundleImage); for tools and tests. */
export function decodeBundleImage(image: Uint8Array): BundleFile[] {
  const header = readBundleHeader(image.subarray(0, BUNDLE_HEADER_BYTES), image.length);
  if (header.state !== "committed") fail(header.state === "empty" ? "the partition is empty" : "an unfinished write");
  return decodeBundleBody(image.subarray(BUNDLE_HEADER_BYTES, BUNDLE_HEADER_BYTES + header.bodyLength), header.digest);
}
