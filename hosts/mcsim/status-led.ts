// SPDX-License-Identifier: MIT
// The skin's status LED follows the broker session: lit from `onConnect` until `onDisconnect` or `close()`.
// It wraps the ESP32 host's MQTT port and changes nothing else about it. (The ESP32 host does not drive
// the board's status LED on GPIO 33 yet; in mcsim the light shows what the network code is doing.)
import type { MqttPort, OutputPort } from "../../modules/ports.js";

/** `mqtt` with `led` switched on while a session is up. */
export function withStatusLed(mqtt: MqttPort, led: OutputPort): MqttPort {
  return {
    connect(options) {
      led.write(0);
      mqtt.connect({
        ...options,
        onConnect() {
          led.write(1);
          options.onConnect();
        },
        onDisconnect(reason) {
          led.write(0);
          options.onDisconnect(reason);
        },
      });
    },
    publish: (topic, payload, options, onAck) => mqtt.publish(topic, payload, options, onAck),
    subscribe: (topic, qos) => mqtt.subscribe(topic, qos),
    get connected() {
      return mqtt.connected;
    },
    close() {
      mqtt.close();
      led.write(0);
    },
  };
}
