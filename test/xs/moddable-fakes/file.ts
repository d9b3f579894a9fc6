// SPDX-License-Identifier: MIT
// Fake of Moddable's legacy `file` module on littlefs (modules/files/file/littlefs/modLittlefs.c and
// file.js), over an in-memory flash with the power rail of power.ts. As in the SDK and littlefs:
// `new File(path, true)` opens read-write and creates the file (committed at once, empty), never
// truncating; written bytes reach flash only at `close()` (littlefs commits on close), so a cut
// before that leaves the old content; `rename` replaces the target atomically and returns a boolean,
// as does `delete`; `Directory.create` of an existing directory is fine; a path under a missing
// directory throws "No directory entry"; `read(ArrayBuffer, n)` past the end throws "read past end
// of file"; the Iterator yields "." and ".." and every entry as {name, length}, without `length` for
// directories. Each file takes at least one 4 KB block; a full partition throws "No space left on device".
import { checkPower, flashOperation, PowerLoss } from "./power.js";

const BLOCK_BYTES = 4096;
const files = new Map<string, Uint8Array>();
const directories = new Set<string>(["/"]);
let capacityBlocks = 224; // the 896 KiB storage partition of hosts/esp32/board/esp32cam

export function resetFiles(partitionBytes = 1024 * 1024): void {
  files.clear();
  directories.clear();
  directories.add("/");
  capacityBlocks = Math.floor(partitionBytes / BLOCK_BYTES);
}

/** The committed content of `path` (for assertions and for tearing a file by hand). */
export function flashFiles(): Map<string, Uint8Array> {
  return files;
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? "/" : path.slice(0, slash);
}

function blocksUsed(extra: Uint8Array | undefined, replacing: string | undefined): number {
  let blocks = directories.size * 2;
  for (const [path, bytes] of files)
    if (path !== replacing) blocks += Math.max(1, Math.ceil(bytes.length / BLOCK_BYTES));
  if (extra) blocks += Math.max(1, Math.ceil(extra.length / BLOCK_BYTES));
  return blocks;
}

function bytesOf(item: unknown): Uint8Array {
  if (typeof item === "string") return new TextEncoder().encode(item);
  if (typeof item === "number") return Uint8Array.of(item & 0xff);
  if (item instanceof ArrayBuffer) return new Uint8Array(item);
  if (ArrayBuffer.isView(item)) return new Uint8Array(item.buffer, item.byteOffset, item.byteLength);
  throw new TypeError("file: write of an unsupported item");
}

export class File {
  #path: string;
  #content: Uint8Array;
  #position = 0;
  #dirty = false;
  #open = true;

  constructor(path: string, write?: boolean) {
    checkPower();
    if (!directories.has(parentOf(path))) throw new Error("No directory entry");
    const existing = files.get(path);
    if (!existing) {
      if (!write) throw new Error("No directory entry");
      if (flashOperation()) throw new PowerLoss();
      if (blocksUsed(new Uint8Array(0), undefined) > capacityBlocks) throw new Error("No space left on device");
      files.set(path, new Uint8Array(0));
    }
    this.#path = path;
    this.#content = (existing ?? new Uint8Array(0)).slice();
  }

  get length(): number {
    return this.#content.length;
  }
  get position(): number {
    return this.#position;
  }
  set position(value: number) {
    this.#position = value;
  }

  read(type: typeof ArrayBuffer | typeof String, count?: number): ArrayBuffer | string {
    if (!this.#open) throw new Error("file: closed");
    const size = this.#content.length;
    let n = count ?? -1;
    if (n === -1 || size < this.#position + n) {
      if (this.#position >= size) throw new Error("read past end of file");
      n = size - this.#position;
    }
    const bytes = this.#content.slice(this.#position, this.#position + n);
    this.#position += n;
    return type === String ? new TextDecoder().decode(bytes) : bytes.buffer;
  }

  write(...items: unknown[]): void {
    if (!this.#open) throw new Error("file: closed");
    checkPower();
    for (const item of items) {
      const bytes = bytesOf(item);
      const end = this.#position + bytes.length;
      if (end > this.#content.length) {
        const grown = new Uint8Array(end);
        grown.set(this.#content);
        this.#content = grown;
      }
      this.#content.set(bytes, this.#position);
      this.#position = end;
      this.#dirty = true;
    }
  }

  close(): void {
    if (!this.#open) throw new Error("file: closed");
    this.#open = false;
    if (!this.#dirty) return;
    if (flashOperation()) throw new PowerLoss(); // the commit never happened
    if (blocksUsed(this.#content, this.#path) > capacityBlocks) throw new Error("No space left on device");
    files.set(this.#path, this.#content);
  }

  static delete(path: string): boolean {
    checkPower();
    if (!files.has(path)) return false;
    if (flashOperation()) throw new PowerLoss();
    files.delete(path);
    return true;
  }

  static exists(path: string): boolean {
    return files.has(path) || directories.has(path);
  }

  static rename(from: string, to: string): boolean {
    checkPower();
    const target = to.startsWith("/") ? to : `${parentOf(from)}/${to}`;
    const bytes = files.get(from);
    if (!bytes || !directories.has(parentOf(target))) return false;
    if (flashOperation()) throw new PowerLoss(); // littlefs renames atomically: nothing changed
    files.delete(from);
    files.set(target, bytes);
    return true;
  }
}

export class Iterator {
  #entries: { name: string; length?: number }[];
  constructor(path: string) {
    checkPower();
    const dir = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    if (!directories.has(dir)) throw new Error("No directory entry");
    this.#entries = [{ name: "." }, { name: ".." }];
    for (const d of directories)
      if (d !== dir && parentOf(d) === dir) this.#entries.push({ name: d.slice(dir.length + 1) });
    for (const [p, bytes] of files)
      if (parentOf(p) === dir) this.#entries.push({ name: p.slice(p.lastIndexOf("/") + 1), length: bytes.length });
  }
  next(): { name: string; length?: number } | undefined {
    return this.#entries.shift();
  }
}

export const Directory = {
  create(path: string): void {
    checkPower();
    if (directories.has(path)) return;
    if (!directories.has(parentOf(path))) throw new Error("No directory entry");
    if (flashOperation()) throw new PowerLoss();
    directories.add(path);
  },
  delete(path: string): boolean {
    if (!directories.has(path)) return false;
    for (const p of files.keys()) if (parentOf(p) === path) return false;
    directories.delete(path);
    return true;
  },
};

export const System = {
  info(): { used: number; total: number } {
    return { used: blocksUsed(undefined, undefined) * BLOCK_BYTES, total: capacityBlocks * BLOCK_BYTES };
  },
};

export default Object.freeze({ File, Iterator, Directory, System });
