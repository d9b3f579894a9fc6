// SPDX-License-Identifier: MIT
// `embedded:network/interface/wifi` as the SDK 8.2.3 runtime implements it
// (modules/io/wifi/esp32/wifi-esp32.js). The SDK's own typings/ declare it, but @moddable/typings 5.6.0
// on npm, which tsconfig.device.json checks against, does not. Only tsconfig.device.json reads this
// file; manifest.json does not map it, so a real build uses the SDK's declaration.

declare module "embedded:network/interface/wifi" {
  /** Which getter changed: `connection` or `address`. */
  export type WiFiChangedProperty = "connection" | "address";

  export interface WiFiConstructorOptions {
    /** Runs on the JS thread when `connection` or `address` changes. */
    onChanged?: (property: WiFiChangedProperty) => void;
  }

  export interface WiFiConnectOptions {
    SSID: string;
    password?: string;
  }

  /** The station interface. `connect()` throws "already connecting" while an attempt is running. */
  export default class WiFi {
    constructor(options: WiFiConstructorOptions);
    close(): void;
    connect(options: WiFiConnectOptions): void;
    disconnect(): void;
    /** 200 disconnected, 300 connecting, 400 associated without an address, 500 has an address. */
    readonly connection: number;
    readonly address: string | undefined;
    readonly SSID: string | undefined;
    /** Signal strength of the associated access point in dBm. */
    readonly RSSI: number | undefined;
  }
}
