// SPDX-License-Identifier: MIT
// Fake of `embedded:provider/builtin` as the board directory supplies it (hosts/esp32/board/esp32cam/
// host/provider.js, per ECMA-419's host provider): `device.pin` names the GPIOs. The values here are
// the board's (button 13, chime 12, flash LED 4); a test checks them against provider.js.
const device = {
  pin: { button: 13, chime: 12, flashLed: 4 } as Record<string, number>,
};

export default device;
