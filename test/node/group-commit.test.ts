// SPDX-License-Identifier: MIT
// bridge/group-commit.ts with its turns and commits driven by hand: slices bounded by count, everything
// staged during a commit goes into the next one, and batches are handed on once durable, in arrival order.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createGroupCommit, SLICE_ITEMS } from "../../bridge/group-commit.js";

function harness() {
  const turns: (() => void)[] = [];
  const commits: ((error: Error | null) => void)[] = [];
  const log: string[] = [];
  const handedOn: number[][] = [];
  const g = createGroupCommit<number, number>({
    stage: (n) => (log.push(`stage ${n}`), n % 2 === 0 ? n : undefined), // odd ones are "refused"
    commit: (done) => (log.push("commit"), commits.push(done)),
    commitNow: () => void log.push("commitNow"),
    committed: (items, results) => (
      handedOn.push(items), log.push(`committed ${items.join(",")} -> ${results.join(",")}`)
    ),
    onCommitError: (error) => void log.push(`error ${error.message}`),
    defer: (run) => void turns.push(run),
    nowMs: () => 0,
  });
  const turn = () => turns.shift()?.();
  return { g, turns, commits, log, handedOn, turn };
}

describe("group commit", () => {
  test("a slice stages at most SLICE_ITEMS; items staged while a commit runs wait for the next commit", () => {
    const h = harness();
    for (let i = 1; i <= SLICE_ITEMS + 3; i++) h.g.push(i);
    h.turn();
    assert.equal(h.g.queued, 3, "one slice per turn");
    assert.equal(h.commits.length, 1);
    h.turn(); // the rest is staged while the first commit is in flight
    assert.equal(h.commits.length, 1, "one commit at a time");
    assert.deepEqual(h.handedOn, [], "nothing handed on before it is durable");
    h.commits.shift()!(null);
    assert.equal((h.handedOn[0] as number[]).length, SLICE_ITEMS);
    assert.equal(h.commits.length, 1, "the items staged meanwhile: the next commit");
    h.commits.shift()!(null);
    assert.deepEqual(h.handedOn[1], [SLICE_ITEMS + 1, SLICE_ITEMS + 2, SLICE_ITEMS + 3]);
  });

  test("flush during a commit makes both durable and hands them on in arrival order", () => {
    const h = harness();
    h.g.push(1);
    h.g.push(2);
    h.turn();
    h.g.push(3);
    h.g.push(4);
    h.g.flush();
    assert.deepEqual(h.handedOn, [
      [1, 2],
      [3, 4],
    ]);
    assert.ok(h.log.indexOf("commitNow") < h.log.indexOf("committed 1,2 -> 2"));
    h.commits.shift()!(null); // the first commit's own callback comes late: nothing twice
    assert.equal(h.handedOn.length, 2);
  });

  test("a failed commit hands nothing of its batch on", () => {
    const h = harness();
    h.g.push(1);
    h.turn();
    h.commits.shift()!(new Error("disk full"));
    assert.deepEqual(h.handedOn, []);
    assert.ok(h.log.includes("error disk full"));
  });
});
