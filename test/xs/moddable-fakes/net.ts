// SPDX-License-Identifier: MIT
// Fake of Moddable's legacy `net` (modules/network/net/esp32/modNet.c): `Net.get(property)` answers
// "IP", "MAC", "SSID", "RSSI" and "DNS" (an array of server addresses) from values the test sets.
const values = new Map<string, unknown>();

export function setNet(property: string, value: unknown): void {
  values.set(property, value);
}
export function resetNet(): void {
  values.clear();
  values.set("DNS", ["192.168.1.1"]);
}
resetNet();

const Net = {
  get(property: string): unknown {
    return values.get(property);
  },
};

export default Net;
