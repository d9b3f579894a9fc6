// SPDX-License-Identifier: MIT
// Group commit for the bridge's events (event-receiver.ts): items are staged in short slices, so the event
// loop keeps turning (MQTT reads, acknowledgements of Home Assistant publishes), and everything staged while
// one commit's fdatasync runs goes into the next commit. Items are committed, then handed on, in arrival order.

/** At most this many items are staged per turn of the event loop... */
export const SLICE_ITEMS = 32;
/** ...and for at most this long, so a slice never holds the loop for longer. */
export const SLICE_MS = 2;

export interface GroupCommitOptions<In, Out> {
  /** Handles one item now (e.g. opens it and stages its state in RAM); what to act on after the commit, if anything. */
  stage(item: In): Out | undefined;
  /** Makes everything staged so far durable; `done` once it is, or with the error. */
  commit(done: (error: Error | null) => void): void;
  /** The same, before returning. */
  commitNow(): void;
  /** A commit is durable: every item of its batch, and what their staging returned, in order. */
  committed(items: In[], results: Out[]): void;
  /** A commit failed: nothing of its batch was handed on. */
  onCommitError(error: Error): void;
  /** Runs `run` on a later turn of the event loop; default setImmediate. */
  defer?: (run: () => void) => void;
  /** Monotonic ms; default performance.now. */
  nowMs?: () => number;
}

export interface GroupCommit<In> {
  push(item: In): void;
  /** Stages and commits everything queued now, before returning, and hands it on. */
  flush(): void;
  /** Queued, not yet staged. */
  readonly queued: number;
}

export function createGroupCommit<In, Out>(o: GroupCommitOptions<In, Out>): GroupCommit<In> {
  const defer = o.defer ?? setImmediate;
  const nowMs = o.nowMs ?? (() => performance.now());
  let queue: In[] = [];
  let head = 0;
  let staged: { items: In[]; results: Out[] } = { items: [], results: [] };
  /** The batch whose commit is in flight. */
  let inFlight: { items: In[]; results: Out[] } | undefined;
  let scheduled = false;

  function stageSome(maxItems: number, untilMs: number): void {
    const end = Math.min(queue.length, head + maxItems);
    while (head < end && nowMs() <= untilMs) {
      const item = queue[head++];
      staged.items.push(item);
      const result = o.stage(item);
      if (result !== undefined) staged.results.push(result);
    }
    if (head === queue.length) (queue = []), (head = 0);
  }

  function takeStaged() {
    const batch = staged;
    staged = { items: [], results: [] };
    return batch;
  }

  function commitStaged(): void {
    if (inFlight || !staged.items.length) return;
    const batch = takeStaged();
    inFlight = batch;
    o.commit((error) => {
      if (inFlight !== batch) return; // flush() made it durable and handed it on already
      inFlight = undefined;
      if (error) return o.onCommitError(error);
      o.committed(batch.items, batch.results);
      commitStaged();
    });
  }

  function pump(): void {
    scheduled = false;
    stageSome(SLICE_ITEMS, nowMs() + SLICE_MS);
    if (head < queue.length) schedule();
    commitStaged();
  }

  function schedule(): void {
    if (!scheduled) (scheduled = true), defer(pump);
  }

  return {
    push(item) {
      queue.push(item);
      schedule();
    },
    flush() {
      stageSome(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);
      if (!staged.items.length && !inFlight) return;
      o.commitNow(); // durable too: the batch whose commit is in flight, written already; handed on first
      const before = inFlight;
      inFlight = undefined;
      const batch = takeStaged();
      if (before) o.committed(before.items, before.results);
      if (batch.items.length) o.committed(batch.items, batch.results);
    },
    get queued() {
      return queue.length - head;
    },
  };
}
