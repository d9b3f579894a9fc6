// SPDX-License-Identifier: MIT
// Inside XS: the part of `node:assert/strict` the unit tests use, with messages that show both sides.

export class AssertionError extends Error {
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "AssertionError" });
  }
}

function show(value: unknown): string {
  if (value instanceof Uint8Array)
    return `Uint8Array(${value.length})[${Array.from(value.subarray(0, 16)).join(",")}${value.length > 16 ? ",…" : ""}]`;
  try {
    return (
      JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? show(v) : typeof v === "bigint" ? `${v}n` : v)) ??
      String(value)
    );
  } catch {
    return String(value);
  }
}

function fail(message: string | undefined, fallback: string): never {
  throw new AssertionError(message ?? fallback);
}

function deepEqualValues(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  }
  if (a instanceof Map && b instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !deepEqualValues(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set && b instanceof Set) return a.size === b.size && [...a].every((v) => b.has(v));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) => Object.hasOwn(b, k) && deepEqualValues((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

function matchesExpected(error: unknown, expected: unknown): boolean {
  if (expected === undefined) return true;
  if (expected instanceof RegExp)
    return expected.test(String((error as Error)?.message ?? error)) || expected.test(String(error));
  if (typeof expected === "function") {
    if (
      (expected as { prototype?: unknown }).prototype !== undefined &&
      error instanceof (expected as new () => unknown)
    )
      return true;
    return (expected as (e: unknown) => boolean)(error) === true;
  }
  if (typeof expected === "object" && expected !== null) {
    return Object.entries(expected).every(([k, v]) => {
      const actual = (error as Record<string, unknown>)?.[k];
      return v instanceof RegExp ? v.test(String(actual)) : deepEqualValues(actual, v);
    });
  }
  return false;
}

const assert = Object.assign(
  (value: unknown, message?: string) => {
    if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
  },
  {
    ok(value: unknown, message?: string) {
      if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
    },
    equal(actual: unknown, expected: unknown, message?: string) {
      if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
    },
    strictEqual(actual: unknown, expected: unknown, message?: string) {
      if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
    },
    notEqual(actual: unknown, expected: unknown, message?: string) {
      if (Object.is(actual, expected)) fail(message, `expected anything but ${show(expected)}`);
    },
    deepEqual(actual: unknown, expected: unknown, message?: string) {
      if (!deepEqualValues(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
    },
    deepStrictEqual(actual: unknown, expected: unknown, message?: string) {
      if (!deepEqualValues(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
    },
    notDeepEqual(actual: unknown, expected: unknown, message?: string) {
      if (deepEqualValues(actual, expected)) fail(message, `expected a value other than ${show(expected)}`);
    },
    match(actual: string, pattern: RegExp, message?: string) {
      if (!pattern.test(actual)) fail(message, `expected ${show(actual)} to match ${String(pattern)}`);
    },
    doesNotMatch(actual: string, pattern: RegExp, message?: string) {
      if (pattern.test(actual)) fail(message, `expected ${show(actual)} not to match ${String(pattern)}`);
    },
    throws(fn: () => unknown, expected?: unknown, message?: string) {
      try {
        fn();
      } catch (error) {
        if (!matchesExpected(error, expected))
          fail(typeof expected === "string" ? expected : message, `unexpected error: ${show(String(error))}`);
        return;
      }
      fail(typeof expected === "string" ? expected : message, "expected the function to throw");
    },
    doesNotThrow(fn: () => unknown, message?: string) {
      try {
        fn();
      } catch (error) {
        fail(message, `unexpected error: ${String(error)}`);
      }
    },
    async rejects(value: Promise<unknown> | (() => Promise<unknown>), expected?: unknown, message?: string) {
      try {
        await (typeof value === "function" ? value() : value);
      } catch (error) {
        if (!matchesExpected(error, expected)) fail(message, `unexpected rejection: ${String(error)}`);
        return;
      }
      fail(message, "expected a rejection");
    },
    fail(message?: string): never {
      fail(message, "failed");
    },
  },
);

export default assert;
export const {
  ok,
  equal,
  strictEqual,
  notEqual,
  deepEqual,
  deepStrictEqual,
  notDeepEqual,
  match,
  doesNotMatch,
  throws,
  doesNotThrow,
  rejects,
} = assert;
