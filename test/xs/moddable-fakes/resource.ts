// SPDX-License-Identifier: MIT
// Fake of Moddable's `Resource` (modules/files/resource): `Resource.exists(name)` and `new
// Resource(name)`, a read-only host buffer over flash that `slice(begin, end?)` copies out of.
// As in the SDK, a missing name throws "Resource not found". Tests add resources with `addResource`.
const resources = new Map<string, Uint8Array>();

export function addResource(name: string, bytes: Uint8Array | string): void {
  resources.set(name, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes.slice());
}
export function resetResources(): void {
  resources.clear();
}

class Resource extends ArrayBuffer {
  constructor(name: string) {
    const bytes = resources.get(name);
    if (!bytes) throw new Error("Resource not found");
    super(bytes.length);
    new Uint8Array(this).set(bytes);
  }
  /** `slice` hands out a plain ArrayBuffer copy, as the SDK's host buffer does. */
  static get [Symbol.species]() {
    return ArrayBuffer;
  }
  static exists(name: string): boolean {
    return resources.has(name);
  }
}

export default Resource;
