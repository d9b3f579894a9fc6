// SPDX-License-Identifier: MIT
// The ESP32's device bundle, read from its own flash partition (bundle-area.ts, docs/build-and-flash.md), so one
// firmware image serves every doorbell. An image built the old way carries the bundle as `data` resources: its
// first boot moves it into the partition and says so in the log. A damaged partition is refused, untouched.
import Resource from "Resource";
import { type BundleFile, BundleImageError } from "../../modules/bundle-image.js";
import { openBundleArea, readBundleArea, writeBundleArea } from "./bundle-area.js";
import {
  DEVICE_CONFIG_RESOURCE,
  type DeviceBundle,
  imageSource,
  parseBundle,
  partitionSource,
} from "./device-config.js";

/** A line for the device log, written once the host has one (main.ts): what happened to the bundle at boot. */
export interface BundleNote {
  level: "info" | "warn";
  message: string;
}

export interface LoadedBundle extends DeviceBundle {
  notes: BundleNote[];
}

/** Whether the image's resources hold exactly `files` (the partition's), byte for byte. */
function sameAsImage(files: readonly BundleFile[]): boolean {
  return files.every((f) => {
    if (!Resource.exists(f.name)) return false;
    const bytes = new Uint8Array(new Resource(f.name).slice(0));
    return bytes.length === f.bytes.length && bytes.every((b, i) => b === f.bytes[i]);
  });
}

/**
 * The ESP32's bundle, from the bundle partition. When that partition is empty (or holds a write cut by a reset)
 * and the image carries a bundle, the bundle is moved there first and a note says so. A damaged partition is
 * refused: nothing is erased or rewritten, and the error says how to restore it.
 */
export function loadDeviceBundle(): LoadedBundle {
  const flash = openBundleArea();
  let area: ReturnType<typeof readBundleArea>;
  try {
    area = readBundleArea(flash);
  } catch (error) {
    if (!(error instanceof BundleImageError)) throw error;
    throw new Error(
      `the bundle partition is damaged (${error.message}); nothing was erased or rewritten. Flash the bundle.bin ` +
        "that doorbell device add wrote (doorbell device image writes it again) at the bundle partition's offset " +
        "(docs/build-and-flash.md)",
    );
  }
  const inImage = Resource.exists(DEVICE_CONFIG_RESOURCE);
  if (area.state === "committed") {
    const { bundle } = parseBundle(partitionSource(area.files));
    const notes: BundleNote[] = [];
    if (inImage) {
      const same = sameAsImage(area.files);
      notes.push({
        level: same ? "info" : "warn",
        message: same
          ? "the firmware image also carries the bundle (an old build); the bundle partition's copy is used"
          : "the firmware image carries a bundle that differs from the bundle partition's; the partition's is used. " +
            "To change the bundle, flash its bundle.bin (docs/build-and-flash.md)",
      });
    }
    return { ...bundle, notes };
  }
  if (!inImage) {
    const what = area.state === "empty" ? "is empty" : "holds a write that was cut before it finished";
    throw new Error(
      `the bundle partition ${what} and the firmware image carries no bundle: flash the bundle.bin that doorbell ` +
        "device add wrote at the bundle partition's offset (docs/build-and-flash.md)",
    );
  }
  const fromImage = parseBundle(imageSource);
  // device-config.json, then the DER files it names: all exist, parseBundle checked them.
  const files = fromImage.fileNames.map((name) => ({ name, bytes: new Uint8Array(new Resource(name).slice(0)) }));
  let bytes = 0;
  for (const f of files) bytes += f.bytes.length;
  try {
    writeBundleArea(flash, files);
    const written = readBundleArea(flash);
    if (written.state !== "committed") throw new Error("it did not read back");
    const { bundle } = parseBundle(partitionSource(written.files));
    const message =
      `moved the device bundle (${files.length} files, ${bytes} bytes) from the firmware image into the bundle ` +
      "partition; it is read from there from now on, and images without a bundle can be installed";
    return { ...bundle, notes: [{ level: "info", message }] };
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unknown error";
    const message =
      `could not move the device bundle into the bundle partition (${reason}); running on the image's copy, ` +
      "the next boot tries again";
    return { ...fromImage.bundle, notes: [{ level: "warn", message }] };
  }
}
