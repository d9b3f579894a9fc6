// SPDX-License-Identifier: MIT
// The device bundle's file names (docs/build-and-flash.md, format "doorbell-device/1").

/** The bundle's file names: the manifest's `data` section expects exactly these. */
export const BUNDLE_FILES = Object.freeze({
  config: "device-config.json",
  ca: "broker-ca.der",
  cert: "device-cert.der",
  key: "device-key.der",
});
export const DEVICE_BUNDLE_FORMAT = "doorbell-device/1";
