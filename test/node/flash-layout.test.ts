// SPDX-License-Identifier: MIT
// hosts/esp32/flash-layout.ts states the partition sizes of board/esp32cam/sdkconfig/partitions.csv: if the
// table changes, this fails until the layout check is updated with it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { NVS_PARTITION_BYTES, STORAGE_PARTITION_BYTES } from "../../hosts/esp32/flash-layout.js";
import { repoPath } from "../../hosts/xs/bundle.js";

function partitionBytes(name: string): number {
  const csv = readFileSync(repoPath("hosts/esp32/board/esp32cam/sdkconfig/partitions.csv"), "utf8");
  const row = csv
    .split("\n")
    .map((line) => line.split(",").map((cell) => cell.trim()))
    .find((cells) => cells[0] === name);
  assert.ok(row, `partitions.csv has no ${name} partition`);
  return Number(row[4]);
}

test("the flash layout check uses partitions.csv's storage and nvs sizes", () => {
  assert.equal(STORAGE_PARTITION_BYTES, partitionBytes("storage"));
  assert.equal(NVS_PARTITION_BYTES, partitionBytes("nvs"));
});
