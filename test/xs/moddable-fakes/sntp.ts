// SPDX-License-Identifier: MIT
// Fake of Moddable's legacy `sntp` (modules/network/sntp/sntp.js). As in the SDK: `new SNTP({host},
// callback)` starts at once; the callback gets (SNTP.time, unix seconds) on an answer, or (SNTP.error,
// message) when the host does not answer, and may return another host name to try. The answer comes on
// a later turn; the test sets what the server says with `sntpServer`.
import { post } from "./event-loop.js";

let answerS: number | undefined = 1_790_000_000;
export const sntpStats = { requests: 0 };

/** What the server answers: unix seconds, or undefined for no answer. */
export function sntpServer(seconds: number | undefined): void {
  answerS = seconds;
}
export function resetSntp(): void {
  answerS = 1_790_000_000;
  sntpStats.requests = 0;
}

type Callback = (message: number, value?: number | string) => unknown;

class SNTP {
  static readonly time = 1;
  static readonly retry = 2;
  static readonly error = -1;
  #closed = false;
  constructor(dictionary: { host: string }, callback: Callback) {
    if (!dictionary.host) throw new Error("sntp: host required");
    sntpStats.requests++;
    post(() => {
      if (this.#closed) return;
      if (answerS !== undefined) callback(SNTP.time, answerS);
      else callback(SNTP.error, `no answer from ${dictionary.host}`);
    });
  }
  close(): void {
    this.#closed = true;
  }
}

export default SNTP;
