// SPDX-License-Identifier: MIT
// `embedded:provider/builtin` for the AI-Thinker ESP32-CAM: the IO classes and the board's named GPIOs.
// hosts/esp32/board-pins.ts reads `pin` from here; the wiring and the reasons are in ../README.md.
// No default I2C, SPI or Serial: the camera's SCCB owns GPIO 26/27, the SD slot shares 2/4/12-15,
// and UART0 on GPIO 1/3 is the flashing and debug port.

import Analog from "embedded:io/analog";
import Digital from "embedded:io/digital";
import DigitalBank from "embedded:io/digitalbank";
import I2C from "embedded:io/i2c";
import PulseCount from "embedded:io/pulsecount";
import PWM from "embedded:io/pwm";
import Serial from "embedded:io/serial";
import SMBus from "embedded:io/smbus";
import SPI from "embedded:io/spi";

const device = {
  io: { Analog, Digital, DigitalBank, I2C, PulseCount, PWM, Serial, SMBus, SPI },
  pin: {
    /** Doorbell button to GND; internal pull-up. Not a strapping pin. */
    button: 13,
    /** Chime relay driver, active high; needs a pull-down (GPIO 12 must be low at reset). */
    chime: 12,
    /** On-board white flash LED through a transistor, active high. */
    flashLed: 4,
    /** On-board red LED, active low. */
    statusLed: 33,
  },
};

export default device;
