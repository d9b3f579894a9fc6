// SPDX-License-Identifier: MIT
// Fuzz target for the bundle partition's reader (modules/bundle-image.ts): mutated real images and raw bytes
// are either decoded to files or refused with a BundleImageError, never anything else.
import fc from "fast-check";
import {
  BundleImageError,
  decodeBundleImage,
  encodeBundleHeader,
  readBundleHeader,
} from "../../modules/bundle-image.js";
import { encodeBundleImage } from "../../modules/bundle-image.js";
import type { FuzzTarget } from "./targets.js";

const SIZE = 0x1000;
const REAL = encodeBundleImage(
  [
    { name: "device-config.json", bytes: new TextEncoder().encode('{"format":"doorbell-device/1"}') },
    { name: "broker-ca.der", bytes: Uint8Array.of(0x30, 0x82, 1, 2) },
  ],
  SIZE,
);

function decodesOrRefuses(image: Uint8Array): boolean {
  try {
    const files = decodeBundleImage(image);
    return files.every((f) => f.name.length > 0 && f.bytes.length <= image.length);
  } catch (error) {
    return error instanceof BundleImageError;
  }
}

/** A body with a valid hash: only the entry parser stands between it and the device. */
function withHeader(body: Uint8Array): Uint8Array {
  const image = new Uint8Array(SIZE).fill(0xff);
  image.set(encodeBundleHeader(body), 0);
  image.set(body.subarray(0, SIZE - 48), 48);
  return image;
}

export const BUNDLE_FUZZ_TARGETS: FuzzTarget[] = [
  {
    name: "bundle partition: mutated real images decode or are refused",
    property: () =>
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 255 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        (edits) => {
          const image = REAL.slice();
          for (const [at, value] of edits) image[at] = value;
          return decodesOrRefuses(image);
        },
      ),
  },
  {
    name: "bundle partition: any body behind a valid hash, and any header, decode or are refused",
    property: () =>
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 600 }),
        fc.uint8Array({ minLength: 48, maxLength: 48 }),
        (body, header) => {
          let headerOk: boolean;
          try {
            readBundleHeader(header, SIZE);
            headerOk = true;
          } catch (error) {
            headerOk = error instanceof BundleImageError;
          }
          return headerOk && decodesOrRefuses(withHeader(body));
        },
      ),
  },
];
