// SPDX-License-Identifier: MIT
// Home Assistant device-based discovery for one doorbell: one retained message at
// `homeassistant/device/esp32db_<id>/config` with abbreviated keys, laid out as in
// reference/home-assistant.md §7 (§1.3 device discovery, §1.4 abbreviations, §2 platform keys).
import { readFileSync } from "node:fs";
import type { DeviceInfo } from "./devices.js";
import { haTopics, objectId } from "./ha-topics.js";

/** HA's default discovery prefix (`DEFAULT_PREFIX`, §1.1). */
export const DEFAULT_DISCOVERY_PREFIX = "homeassistant";
/** Where HA announces itself (§1.6): `online` after it has processed retained discovery. */
export const HA_STATUS_TOPIC = "homeassistant/status";
/** §7: RSSI sensor `expire_after`; longer when the device reports less often. */
const MIN_RSSI_EXPIRE_S = 600;

export const ORIGIN_NAME = "doorbell-bridge";

/** This package's version, for `origin.sw`. */
export function bridgeVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

export interface DiscoveryOptions {
  /** Discovery prefix; default `homeassistant`. */
  prefix?: string;
  /** Seconds after the last `ON` that HA turns motion off by itself (`off_delay`), if no `OFF` came. */
  motionOffDelayS: number;
  /** The firmware version the device last reported, for `device.sw_version`. */
  firmwareVersion?: string;
  /** `origin.sw_version`; defaults to this package's version. */
  originVersion?: string;
  /**
   * How the image entity reads the snapshot topic (ha.pictures): `url` (default), a link it downloads (`url_topic`);
   * `mqtt`, the raw JPEG bytes (`image_topic`).
   */
  pictures?: "url" | "mqtt";
  /** The MQTT camera fed live stills over the broker (ha.liveStillsOverMqtt); default off, and removed. */
  liveStills?: boolean;
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
  retain: true;
}

/** `<platform>.<device id>_<component>`, lowercase with underscores: `default_entity_id` (not the deprecated `object_id`, §4.3). */
function entityId(platform: string, device: DeviceInfo, component: string): string {
  return `${platform}.${device.id.replace(/-/g, "_")}_${component}`;
}

/** The `device` block (§1.5), abbreviated. */
function deviceBlock(device: DeviceInfo, firmwareVersion: string | undefined): Record<string, unknown> {
  const dev: Record<string, unknown> = {
    ids: [objectId(device.id)],
    name: device.name,
    mf: "DIY",
    mdl: "ESP32-CAM Doorbell",
    sn: device.id,
  };
  if (firmwareVersion) dev.sw = firmwareVersion;
  return dev;
}

/** Clip and live frames the doorbell dropped (docs/firmware.md, "Video memory budget"), from its sealed status. */
function videoDroppedSensor(infoTopic: string): Record<string, unknown> {
  return {
    name: "Video frames dropped",
    ic: "mdi:filmstrip-off",
    stat_cla: "total_increasing",
    ent_cat: "diagnostic",
    stat_t: infoTopic,
    val_tpl: "{{ value_json.video_frames_dropped }}",
  };
}

/**
 * The image entity on the snapshot topic (§2.2): a link it downloads (`url_topic`; content_type is invalid with
 * it, Home Assistant derives the type), or the raw JPEG bytes (`image_topic`, ha.pictures = mqtt).
 */
function snapshotImage(topic: string, pictures: "url" | "mqtt"): Record<string, unknown> {
  return pictures === "mqtt"
    ? { name: "Last snapshot", img_t: topic, cont_type: "image/jpeg" }
    : { name: "Last snapshot", url_t: topic };
}

/**
 * §2.3: the MQTT camera takes still images only, which would cross the broker in the clear: it exists only with
 * ha.liveStillsOverMqtt. Otherwise its platform alone removes it (§1.3) for owners who had it. The live view is
 * the bridge's MJPEG endpoint, added in Home Assistant as an "MJPEG IP Camera" (docs/home-assistant.md).
 */
const CAMERA_REMOVED = ["live", { p: "camera" }] as const;

/**
 * §2 `update`: the state JSON (bridge/update/update-server.ts) carries installed_version and latest_version, and
 * the progress in release_summary, since in_progress/update_percentage are not in the schema versions reviewed.
 * Install publishes the owner's packed update to the doorbell (docs/ota.md).
 */
function firmwareUpdate(t: ReturnType<typeof haTopics>): Record<string, unknown> {
  return {
    name: "Firmware",
    dev_cla: "firmware",
    stat_t: t.firmware,
    cmd_t: t.updateCommand,
    pl_inst: "install",
    ret: false,
  };
}

/** The device discovery message for `device` (§1.3). */
export function deviceDiscovery(device: DeviceInfo, o: DiscoveryOptions): DiscoveryMessage {
  const t = haTopics(device.topicRoot, device.id);
  const oid = objectId(device.id);
  const component = (id: string, platform: string, config: Record<string, unknown>) =>
    [
      id,
      {
        p: platform,
        uniq_id: `${oid}_${id}`,
        def_ent_id: entityId(platform, device, id),
        ...config,
      },
    ] as const;
  const rssiExpireS = device.statusIntervalS > 0 ? Math.max(MIN_RSSI_EXPIRE_S, 2 * device.statusIntervalS) : undefined;

  const dev = deviceBlock(device, o.firmwareVersion);

  const payload = {
    dev,
    o: { name: ORIGIN_NAME, sw: o.originVersion ?? bridgeVersion() },
    avty_t: t.availability,
    qos: 1,
    cmps: Object.fromEntries([
      // QoS 2 on the component itself: HA before the newest version does not inherit a device-level `qos`
      // (§1.3 SHARED_OPTIONS), and a press must fire once; the bridge publishes it at QoS 2 (ha-states.ts).
      component("ring", "event", {
        name: "Doorbell",
        dev_cla: "doorbell",
        evt_typ: ["ring", "long_press"],
        stat_t: t.event,
        qos: 2,
      }),
      component("motion", "binary_sensor", {
        name: "Motion",
        dev_cla: "motion",
        stat_t: t.motion,
        json_attr_t: t.motionAttributes,
        off_dly: o.motionOffDelayS,
      }),
      component("snapshot", "image", snapshotImage(t.snapshot, o.pictures ?? "url")),
      component("take_snapshot", "button", {
        name: "Take snapshot",
        ic: "mdi:camera",
        cmd_t: t.snapshotCommand,
        pl_prs: "snapshot",
        ret: false,
      }),
      component("live_view", "button", {
        name: "Start live view",
        ic: "mdi:cctv",
        cmd_t: t.liveCommand,
        pl_prs: "start",
        ret: false,
      }),
      o.liveStills ? component("live", "camera", { name: "Live view", t: t.live }) : CAMERA_REMOVED,
      component("rssi", "sensor", {
        name: "Wi-Fi signal",
        dev_cla: "signal_strength",
        unit_of_meas: "dBm",
        stat_cla: "measurement",
        ent_cat: "diagnostic",
        stat_t: t.info,
        val_tpl: "{{ value_json.rssi }}",
        ...(rssiExpireS ? { exp_aft: rssiExpireS } : {}),
      }),
      component("uptime", "sensor", {
        name: "Last boot",
        dev_cla: "timestamp",
        ent_cat: "diagnostic",
        stat_t: t.info,
        val_tpl: "{{ value_json.boot }}",
      }),
      component("fw_version", "sensor", {
        name: "Firmware version",
        ic: "mdi:chip",
        ent_cat: "diagnostic",
        stat_t: t.info,
        val_tpl: "{{ value_json.fw }}",
      }),
      component("firmware", "update", firmwareUpdate(t)),
      component("dropped", "sensor", {
        name: "Events dropped",
        ic: "mdi:email-remove-outline",
        stat_cla: "total_increasing",
        ent_cat: "diagnostic",
        stat_t: t.info,
        val_tpl: "{{ value_json.outbox_dropped }}",
      }),
      component("video_dropped", "sensor", videoDroppedSensor(t.info)),
    ]),
  };
  return { topic: `${o.prefix ?? DEFAULT_DISCOVERY_PREFIX}/device/${oid}/config`, payload, retain: true };
}
