// SPDX-License-Identifier: MIT
// The fake XS event loop behind every Moddable fake: virtual milliseconds, messages posted from
// "other tasks" (ISR, camera task, sockets) and the timer list. Time moves only when a test calls
// `advance`, so nothing here waits on a real clock and every run is the same.
// Follows the SDK's loop (xs/platforms/esp/xsHost.c modMessageService, modules/base/timer/mc/timer.c
// modTimersExecute): posted messages are delivered in FIFO order on a later turn, never inside the
// call that posted them; a timer pass first marks every due timer, then fires the marked ones in the
// order they were added (the list is appended at the tail), so two timers that are both late fire in
// the order they were set, whatever their deadlines; a timer added during a pass waits for the next.

interface TimerEntry {
  dueMs: number;
  repeatMs: number;
  callback: () => void;
  fire: boolean;
  removed: boolean;
}

const messages: (() => void)[] = [];
let timers: TimerEntry[] = [];
let nowMs = 0;

/** Virtual milliseconds since the fake boot. */
export function loopNowMs(): number {
  return nowMs;
}

/** Queues `deliver` as a message to the machine (modMessagePostToMachine): it runs on a later turn. */
export function post(deliver: () => void): void {
  messages.push(deliver);
}

export interface LoopTimer {
  readonly entry: unknown;
}

/** Appends a timer to the list (modTimerAdd). `repeatMs` 0 is one-shot. */
export function addTimer(callback: () => void, delayMs: number, repeatMs: number): LoopTimer {
  const entry: TimerEntry = {
    dueMs: nowMs + Math.max(0, delayMs | 0),
    repeatMs,
    callback,
    fire: false,
    removed: false,
  };
  timers.push(entry);
  return { entry };
}

/** Removes a timer (modTimerRemove); removing twice is a no-op. */
export function removeTimer(timer: LoopTimer): void {
  const entry = timer.entry as TimerEntry;
  entry.removed = true;
  timers = timers.filter((t) => t !== entry);
}

/** Re-arms a timer (modTimerReschedule). */
export function rescheduleTimer(timer: LoopTimer, delayMs: number, repeatMs: number): void {
  const entry = timer.entry as TimerEntry;
  entry.dueMs = nowMs + Math.max(0, delayMs | 0);
  entry.repeatMs = repeatMs;
}

/** Timers still in the list. */
export function pendingTimers(): number {
  return timers.length;
}

function deliverMessages(): number {
  const batch = messages.splice(0, messages.length);
  for (const deliver of batch) deliver();
  return batch.length;
}

function serviceTimers(): number {
  for (const t of timers) if (t.dueMs <= nowMs) t.fire = true;
  let fired = 0;
  for (const t of [...timers]) {
    if (!t.fire || t.removed) continue;
    t.fire = false;
    fired++;
    if (t.repeatMs) t.dueMs += t.repeatMs;
    else removeTimer({ entry: t });
    t.callback();
  }
  return fired;
}

/** One turn at the current time: deliver queued messages, then one timer pass. Returns the work done. */
export function turn(): number {
  return deliverMessages() + serviceTimers();
}

/** Runs turns at the current time until nothing is due (at most `maxTurns`). */
export function settle(maxTurns = 10_000): void {
  for (let i = 0; i < maxTurns; i++) if (turn() === 0) return;
  throw new Error(`event loop: still busy after ${maxTurns} turns (a timer or message re-arms itself at 0 ms?)`);
}

/**
 * Moves virtual time forward by `ms`, running the loop at every instant where something is due.
 * `stepMs` > 0 also visits every step in between (models a loop that wakes that often).
 */
export function advance(ms: number, stepMs = 0): void {
  const until = nowMs + ms;
  settle();
  for (let guard = 0; guard < 1_000_000 && nowMs < until; guard++) {
    let next = until;
    for (const t of timers) if (t.dueMs < next) next = Math.max(t.dueMs, nowMs + 1);
    if (stepMs > 0) next = Math.min(next, nowMs + stepMs);
    nowMs = next;
    settle();
  }
  if (nowMs < until) throw new Error("event loop: advance did not reach its target");
}

/** Blocks the loop for `ms` without running anything (Timer.delay, a busy handshake). */
export function busyFor(ms: number): void {
  nowMs += Math.max(0, ms);
}

/** Forgets every message and timer and resets time: a fresh boot for the next test. */
export function resetLoop(startMs = 0): void {
  messages.length = 0;
  timers = [];
  nowMs = startMs;
}
