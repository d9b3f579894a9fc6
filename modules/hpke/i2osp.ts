// SPDX-License-Identifier: MIT
// RFC 9180 §3 I2OSP: a non-negative integer as fixed-length big-endian bytes, refusing what does not fit.
// Limited to JavaScript safe integers, which covers every length, id and sequence number used here.
export { writeUintBE as i2osp } from "../bytes.js";
