// SPDX-License-Identifier: MIT
// Freezes a constant table and everything in it, so a preloaded module's tables stay in flash on the
// device: the XS linker gives every unfrozen object reachable from a preloaded module an alias slot and
// clones it into RAM on first write (xsl's "not frozen" warning). Works the same in Node and XS.
// Limits: typed arrays with elements cannot be frozen (ECMAScript forbids it), so they are left as they are;
// a RegExp is frozen only when it is neither global nor sticky, because exec writes lastIndex on those.

/** Freezes `value` and, depth first, every object and array it holds; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  if (ArrayBuffer.isView(value) && value.byteLength > 0) return value;
  if (value instanceof RegExp && (value.global || value.sticky)) return value;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  return Object.freeze(value);
}
