// SPDX-License-Identifier: MIT
// The firmware's entry inside XS: installs `handleCommand`, boots the firmware on the guest host when
// told, and answers the parent's queries (stats, heap) between port events.
import { startFirmware, type Firmware } from "../../modules/firmware.js";
import { toHex } from "../../modules/bytes.js";
import { createGuestHost } from "./guest-host.js";
import { decodeWire, encodeWire } from "./wire.js";

const guest = createGuestHost();
let firmware: Firmware | undefined;

globalThis.handleCommand = (command: ArrayBuffer): ArrayBuffer => {
  const message = decodeWire(command);
  if (guest.dispatch(message)) return encodeWire({});
  const { fields, blobs } = message;
  switch (fields.kind) {
    case "boot":
      if (fields.motionView) guest.showMotion();
      firmware = startFirmware(guest.host, {
        config: fields.config,
        firmwareVersion: fields.firmwareVersion as string,
        deviceKey: blobs[0],
        ...(typeof fields.updateConfirmS === "number" ? { updateConfirmS: fields.updateConfirmS } : {}),
      });
      return encodeWire({ devicePublic: toHex(firmware.devicePublicKey), config: firmware.config.current });
    case "stats":
      return encodeWire({
        ring: firmware?.ring.stats,
        delivery: firmware?.delivery.stats,
        update: firmware?.update.stats,
      });
    case "config":
      return encodeWire({ result: firmware?.config.apply(fields.config) });
    case "gc":
      (globalThis as { gc?: () => void }).gc?.();
      return encodeWire({});
    case "shutdown":
      firmware?.close();
      firmware = undefined;
      return encodeWire({});
  }
  throw new Error(`unknown delivery ${String(fields.kind)}`);
};
