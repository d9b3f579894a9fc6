// SPDX-License-Identifier: MIT
// Inside XS: a synchronous call to the Node parent over the worker's command channel, typed by host-calls.ts.
import type { CallAnswer, CallRequest, HostCalls, TestHostCalls } from "./host-calls.js";
import { decodeWire, encodeWire, type WireFields } from "./wire.js";

type Calls = HostCalls & TestHostCalls;

/** Calls `op` on the parent and returns its answer; a parent-side error is rethrown here. */
export function call<K extends keyof Calls>(op: K, ...request: CallRequest<Calls, K>): CallAnswer<Calls, K>;
export function call(op: string, fields: WireFields = {}, blobs: readonly Uint8Array[] = []) {
  const answer = decodeWire(issueCommand(encodeWire({ op, ...fields }, blobs)));
  if (typeof answer.fields.error === "string") throw new Error(answer.fields.error);
  return answer;
}
