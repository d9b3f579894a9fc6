// SPDX-License-Identifier: MIT
// Inside XS: a synchronous call to the Node parent over the worker's command channel.
import { decodeWire, encodeWire, type WireFields, type WireMessage } from "./wire.js";

/** Calls `op` on the parent and returns its answer; a parent-side error is rethrown here. */
export function call(op: string, fields: WireFields = {}, blobs: Uint8Array[] = []): WireMessage {
  const answer = decodeWire(issueCommand(encodeWire({ op, ...fields }, blobs)));
  if (typeof answer.fields.error === "string") throw new Error(answer.fields.error);
  return answer;
}
