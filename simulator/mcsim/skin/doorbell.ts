// SPDX-License-Identifier: MIT
// The doorbell as an mcsim device, drawn with piu: the camera panel (the simulated screen, on which the app
// draws each frame its camera delivers, and the frame's name), the status LED, the chime and the button
// (click it, or hold the space bar or "b"). mcsim loads this module's bundle (npm run mcsim:skin) from a
// simulators folder; the app is the desktop build (simulator/mcsim/manifest.json). Drawing only: what is
// sent and shown is decided in skin-model.ts.
import { ButtonsRow, ControlsColumn, InfoRow } from "ControlsPane";
import { DeviceBehavior, DeviceContainer, DeviceScreen } from "DevicePane";
import type { Container, Content as PiuContent, Label as PiuLabel } from "piu/MC";
import { BUTTON_KEYS, createSkinModel, type SkinModel, type SkinView } from "./skin-model.js";

const WIDTH = 360;
const HEIGHT = 510;
/** The camera panel: the simulated screen, on which the app draws each frame (simulator/mcsim/frame-view.ts). */
const PANEL = { left: 20, top: 40, width: 320, height: 240 };

const plateSkin = new Skin({ fill: "#2b2f36", stroke: "#14161a", borders: { left: 2, right: 2, top: 2, bottom: 2 } });
const panelSkin = new Skin({
  fill: ["#0d0f12", "#3a0d0d"],
  stroke: "#50565f",
  borders: { left: 1, right: 1, top: 1, bottom: 1 },
});
const ledSkin = new Skin({ fill: ["#3a1010", "#ff3b30"] });
const chimeSkin = new Skin({ fill: ["#2b2f36", "#f5c518"] });
const buttonSkin = new Skin({
  fill: ["#c9ced6", "#7d8591"],
  stroke: "#14161a",
  borders: { left: 3, right: 3, top: 3, bottom: 3 },
});
const titleStyle = new Style({ font: "semibold 14px Open Sans", color: "#e6e8eb" });
const smallStyle = new Style({ font: "12px Open Sans", color: ["#aab0b8", "#ffb4ae"] });
const chimeStyle = new Style({ font: "semibold 12px Open Sans", color: ["#8a9099", "#14161a"] });
const buttonStyle = new Style({ font: "semibold 14px Open Sans", color: "#14161a" });

/** A behavior that redraws its content from the view whenever the device distributes onViewChanged. */
function viewBehavior(show: (content: PiuContent, view: Readonly<SkinView>) => void) {
  return class extends Behavior {
    onViewChanged(content: PiuContent, view: Readonly<SkinView>): void {
      show(content, view);
    }
  };
}

function frameText(view: Readonly<SkinView>): string {
  if (view.cameraError) return `camera: ${view.cameraError}`;
  if (!view.frame) return "camera: no frame yet";
  return `${view.frame.name}  ${view.frame.index + 1}/${view.frame.count}`;
}

class ButtonBehavior extends Behavior {
  onTouchBegan(content: PiuContent): void {
    content.bubble("onButtonDown");
  }
  onTouchEnded(content: PiuContent): void {
    content.bubble("onButtonUp");
  }
}

class DoorbellBehavior extends DeviceBehavior {
  model!: SkinModel;
  override onCreate(container: Container, device: unknown): void {
    super.onCreate(container, device);
    this.model = createSkinModel((message) => this.postJSON(container, message));
    container.distribute("onViewChanged", this.model.view);
  }
  override onMessage(container: Container, message: string): void {
    if (this.model.receive(message)) container.distribute("onViewChanged", this.model.view);
    else trace(`doorbell skin: refused a message: ${this.model.view.lastRefusal}\n`);
  }
  onButtonDown(container: Container): void {
    this.model.press("pointer");
    container.distribute("onViewChanged", this.model.view);
  }
  onButtonUp(container: Container): void {
    this.model.release("pointer");
    container.distribute("onViewChanged", this.model.view);
  }
  onKeyDown(container: Container, key: string): void {
    this.model.press({ key });
    container.distribute("onViewChanged", this.model.view);
  }
  onKeyUp(container: Container, key: string): void {
    this.model.release({ key });
    container.distribute("onViewChanged", this.model.view);
  }
}

const Doorbell = DeviceContainer.template(($: unknown) => ({
  Behavior: DoorbellBehavior,
  width: WIDTH,
  height: HEIGHT,
  skin: plateSkin,
  contents: [
    new Label($, { left: 0, right: 0, top: 10, height: 20, style: titleStyle, string: "Doorbell (ESP32-CAM)" }),
    new Content($, {
      left: PANEL.left - 2,
      width: PANEL.width + 4,
      top: PANEL.top - 2,
      height: PANEL.height + 4,
      skin: panelSkin,
      Behavior: viewBehavior((content, view) => {
        content.state = view.cameraError ? 1 : 0;
      }),
    }),
    // Every mcsim device has a screen: it runs the app and carries the messages. Here it is the camera panel.
    new DeviceScreen($, PANEL),
    new Label($, {
      left: 20,
      right: 20,
      top: 288,
      height: 20,
      style: smallStyle,
      string: "camera: no frame yet",
      Behavior: viewBehavior((content, view) => {
        const label = content as PiuLabel;
        label.string = frameText(view);
        label.state = view.cameraError ? 1 : 0;
      }),
    }),
    new Label($, { left: 40, width: 80, top: 322, height: 16, style: smallStyle, string: "status" }),
    new Content($, {
      left: 20,
      width: 14,
      top: 323,
      height: 14,
      skin: ledSkin,
      Behavior: viewBehavior((content, view) => {
        content.state = view.led;
      }),
    }),
    new Label($, {
      left: 200,
      right: 20,
      top: 318,
      height: 24,
      skin: chimeSkin,
      style: chimeStyle,
      string: "chime",
      Behavior: viewBehavior((content, view) => {
        const label = content as PiuLabel;
        label.state = view.chime;
        label.string = view.rings ? `chime x${view.rings}` : "chime";
      }),
    }),
    new Label($, {
      left: 110,
      width: 140,
      top: 356,
      height: 110,
      active: true,
      skin: buttonSkin,
      style: buttonStyle,
      string: "press",
      Behavior: class extends ButtonBehavior {
        onViewChanged(content: PiuContent, view: Readonly<SkinView>): void {
          content.state = view.pressed ? 1 : 0;
        }
      },
    }),
    new Label($, { left: 0, right: 0, top: 478, height: 20, style: smallStyle, string: "click, or hold space or b" }),
  ],
}));

const device: McsimDevice = {
  applicationName: "doorbell-mcsim",
  title: "Doorbell (ESP32-CAM)",
  Workers: {},
  ControlsTemplate: ControlsColumn.template(() => ({
    contents: [
      new ButtonsRow({
        label: "Button",
        buttons: [{ eventDown: "onButtonDown", eventUp: "onButtonUp", label: "Press" }],
      }),
      new InfoRow({ label: "Keys", value: BUTTON_KEYS.includes(" ") ? "space or b" : "b" }),
    ],
  })),
  DeviceTemplates: { 0: Doorbell, 90: Doorbell, 180: Doorbell, 270: Doorbell },
};

export default device;
