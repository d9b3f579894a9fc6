// SPDX-License-Identifier: MIT
// Globals that xsnap-worker gives scripts running inside it.
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare function print(...text: unknown[]): void;
declare var handleCommand: ((command: ArrayBuffer) => ArrayBuffer | undefined) | undefined;
