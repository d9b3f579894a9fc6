// SPDX-License-Identifier: MIT
// hosts/esp32/flash-layout.ts states the partition sizes of board/esp32cam/sdkconfig/partitions.csv, which the
// Moddable build uses (board manifest.json, build.PARTITIONS_FILE_FOR_TARGET): if the table changes, this fails
// until the layout check is updated with it. It also checks the table the way ESP-IDF's gen_esp32part.py
// would reject it (overlaps, alignment, the 4 MB flash), since ESP-IDF is not on this machine.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  APP_SLOT_BYTES,
  BUNDLE_PARTITION,
  BUNDLE_PARTITION_BYTES,
  BUNDLE_PARTITION_OFFSET,
  checkFlashLayout,
  NVS_PARTITION_BYTES,
  OUTBOX_USABLE_BYTES,
  STORAGE_PARTITION_BYTES,
} from "../../hosts/esp32/flash-layout.js";
import { repoPath } from "../../hosts/xs/bundle.js";
import { CONFIG_SCHEMA } from "../../modules/config-schema.js";

interface Row {
  name: string;
  type: string;
  subtype: string;
  offset: number;
  size: number;
}

function table(): Row[] {
  const csv = readFileSync(repoPath("hosts/esp32/board/esp32cam/sdkconfig/partitions.csv"), "utf8");
  return csv
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [name, type, subtype, offset, size] = line.split(",").map((cell) => cell.trim());
      return { name, type, subtype, offset: Number(offset), size: Number(size) };
    });
}

function row(name: string): Row {
  const found = table().find((r) => r.name === name);
  assert.ok(found, `partitions.csv has no ${name} partition`);
  return found;
}

test("the board manifest makes the Moddable build use this partitions.csv", () => {
  const manifest = JSON.parse(readFileSync(repoPath("hosts/esp32/board/esp32cam/manifest.json"), "utf8"));
  assert.equal(manifest.build.PARTITIONS_FILE_FOR_TARGET, "./sdkconfig/partitions.csv");
});

test("the flash layout check uses partitions.csv's storage, nvs, bundle and application slot sizes", () => {
  assert.equal(STORAGE_PARTITION_BYTES, row("storage").size);
  assert.equal(NVS_PARTITION_BYTES, row("nvs").size);
  assert.equal(BUNDLE_PARTITION_BYTES, row(BUNDLE_PARTITION).size);
  assert.equal(BUNDLE_PARTITION_OFFSET, row(BUNDLE_PARTITION).offset, "the offset docs and the CLI give to esptool.py");
  assert.equal(row(BUNDLE_PARTITION).type, "data");
  assert.equal(APP_SLOT_BYTES, row("ota_0").size);
  assert.equal(APP_SLOT_BYTES, row("ota_1").size);
});

test("two application slots and otadata, no factory slot: ESP-IDF boots one slot and updates the other", () => {
  const apps = table().filter((r) => r.type === "app");
  assert.deepEqual(
    apps.map((r) => r.subtype),
    ["ota_0", "ota_1"],
  );
  assert.equal(row("otadata").subtype, "ota");
  assert.equal(row("otadata").size, 0x2000, "otadata holds two 4 KB sectors (ESP-IDF)");
  assert.equal(row("storage").subtype, "spiffs", "littlefs mounts the storage partition by this subtype");
});

test("the table fits the 4 MB flash after the partition table, without overlaps and with ESP-IDF's alignment", () => {
  const rows = table().sort((a, b) => a.offset - b.offset);
  assert.ok(rows[0].offset >= 0x9000, "nothing before the partition table's end (0x8000 + 0x1000)");
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    assert.equal(r.offset % (r.type === "app" ? 0x10000 : 0x1000), 0, `${r.name} is aligned`);
    assert.equal(r.size % 0x1000, 0, `${r.name}'s size is whole 4 KB sectors`);
    if (i > 0) assert.ok(rows[i - 1].offset + rows[i - 1].size <= r.offset, `${rows[i - 1].name} overlaps ${r.name}`);
  }
  const last = rows[rows.length - 1];
  assert.ok(last.offset + last.size <= 0x400000, "the table ends within 4 MB");
});

test("the outbox defaults fit the smaller storage partition: 218 blocks of 4 KB, 872 KiB", () => {
  assert.equal(OUTBOX_USABLE_BYTES, (0xe0000 / 4096 - 6) * 4096);
  const defaults = {
    outbox: {
      maxKiB: CONFIG_SCHEMA["outbox.maxKiB"].default as number,
      maxEvents: CONFIG_SCHEMA["outbox.maxEvents"].default as number,
    },
  };
  assert.deepEqual(checkFlashLayout(defaults).errors, []);
  assert.match(checkFlashLayout({ outbox: { maxKiB: 873, maxEvents: 64 } }).errors.join(), /up to 872$/);
  assert.match(checkFlashLayout({ outbox: { maxKiB: 768, maxEvents: 219 } }).errors.join(), /up to 218$/);
});
