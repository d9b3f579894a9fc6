// SPDX-License-Identifier: MIT
// Minimal declarations for the mcsim modules a device skin imports, which @moddable/typings 5.6.0 does not
// type. They follow the Moddable SDK 8.2.3 sources named on each declaration and cover only what
// simulator/mcsim/skin uses. piu's own globals (Skin, Style, Content, Container, Label, Behavior...) come
// from @moddable/typings/piu/MC.d.ts.

declare module "DevicePane" {
  import type { Behavior, Container, ContainerConstructor } from "piu/MC";

  /**
   * tools/mcsim/DevicePane.js `DeviceBehavior`: the behavior of a device's container. mcsim delegates key
   * events to it (tools/mcsim/main.js onKeyDown/onKeyUp), calls `onMessage` with each string the app posts
   * to `screen.postMessage`, and `postMessage` sends a string to the app's `screen.onMessage`.
   */
  export class DeviceBehavior implements Behavior {
    device: unknown;
    onCreate(container: Container, device: unknown): void;
    onLaunch(container: Container): void;
    onMessage(container: Container, message: string): void;
    onJSON(container: Container, json: unknown): void;
    postJSON(container: Container, json: unknown): void;
    postMessage(container: Container, message: string): void;
  }
  /** tools/mcsim/DevicePane.js `DeviceContainer`: `Container.template` with DeviceBehavior. */
  export const DeviceContainer: ContainerConstructor;
  /**
   * tools/mcsim/DevicePane.js `DeviceScreen`: the simulated screen that runs the app (mc.so); every device
   * has one, since DeviceBehavior.postMessage goes through it.
   */
  export const DeviceScreen: ContainerConstructor;
}

declare module "ControlsPane" {
  import type { ColumnConstructor, RowConstructor } from "piu/MC";

  /** tools/mcsim/ControlsPane.js `ControlsColumn`: the column of a device's controls pane. */
  export const ControlsColumn: ColumnConstructor;
  /**
   * tools/mcsim/ControlsPane.js `ButtonsRow`: a label and buttons; each button delegates `eventDown`
   * and `eventUp` to the device container's behavior (`model.DEVICE.first`).
   */
  export const ButtonsRow: RowConstructor;
  /** tools/mcsim/ControlsPane.js `InfoRow`: a label and a value string. */
  export const InfoRow: RowConstructor;
}

/**
 * tools/mcsim/main.js: what a device module's default export holds. `applicationName` is matched against
 * the path of an opened mc.so to select the device; `DeviceTemplates` is keyed by rotation.
 */
interface McsimDevice {
  applicationName: string;
  title: string;
  Workers: Record<string, unknown>;
  ControlsTemplate: unknown;
  DeviceTemplates: Record<number, unknown>;
}
