// SPDX-License-Identifier: MIT
// Internal to doorbell_redact.c and doorbell_redact_scan.c: the scan plan the marker walk hands to the hot loop.
#ifndef DOORBELL_REDACT_SCAN_H
#define DOORBELL_REDACT_SCAN_H

#include "doorbell_redact.h"

#include <string.h>

#define REDACT_MAX_BLOCKS_IN_MCU 10 /* T.81 §B.2.3; libjpeg's D_MAX_BLOCKS_IN_MCU */

/** One interleaved (or single-component) scan, as redact.ts's ScanPlan. */
typedef struct {
	int mcus_x, mcus_y, blocks;
	int dc_slot[REDACT_MAX_BLOCKS_IN_MCU], ac_slot[REDACT_MAX_BLOCKS_IN_MCU], predictor[REDACT_MAX_BLOCKS_IN_MCU];
	int luma[REDACT_MAX_BLOCKS_IN_MCU]; /* 1 for a luma block, 0 for chroma */
	int luma_per_mcu_x, luma_per_mcu_y;
	unsigned restart_interval;
	int32_t flat_dc; /* the luma DC of a flat block, quantised (redact.ts flatLumaDc) */
} redact_plan;

/** The output so far. */
typedef struct {
	uint8_t *buf;
	size_t cap, pos;
} redact_out;

typedef struct {
	uint64_t acc; /* the low n bits are pending, oldest first */
	int n;
	int full; /* a byte did not fit */
	uint8_t *buf;
	size_t pos, cap;
} bit_writer;

static inline void put_byte(bit_writer *w, unsigned byte)
{
	if (w->pos >= w->cap) {
		w->full = 1;
		return;
	}
	w->buf[w->pos++] = (uint8_t)byte;
	if (byte == 0xff) {
		if (w->pos >= w->cap) {
			w->full = 1;
			return;
		}
		w->buf[w->pos++] = 0; /* T.81 §F.1.2.3 */
	}
}

/* Appends `len` (<= 32) bits; whole 32-bit words go out at once when they hold no 0xFF byte. */
static inline void put_bits(bit_writer *w, uint32_t bits, int len)
{
	w->acc = (w->acc << len) | bits;
	w->n += len;
	if (w->n >= 32) {
		uint32_t word = (uint32_t)(w->acc >> (w->n - 32));
		w->n -= 32;
		if (w->cap - w->pos >= 4 && !((~word - 0x01010101u) & word & 0x80808080u)) { /* no 0xFF byte to stuff */
			uint8_t *o = w->buf + w->pos;
			o[0] = (uint8_t)(word >> 24);
			o[1] = (uint8_t)(word >> 16);
			o[2] = (uint8_t)(word >> 8);
			o[3] = (uint8_t)word;
			w->pos += 4;
		} else {
			put_byte(w, word >> 24);
			put_byte(w, (word >> 16) & 255);
			put_byte(w, (word >> 8) & 255);
			put_byte(w, word & 255);
		}
	}
}

/* Ends an interval or the scan: the pending bits, the last byte padded with 1-bits (T.81 §F.1.2.3). */
static inline void pad(bit_writer *w)
{
	while (w->n >= 8) {
		w->n -= 8;
		put_byte(w, (unsigned)(w->acc >> w->n) & 255);
	}
	if (w->n > 0) {
		put_byte(w, (unsigned)((w->acc << (8 - w->n)) | ((1u << (8 - w->n)) - 1)) & 255);
		w->n = 0;
	}
}

/* The offset of the next marker at or after pos (0xFF then not 0x00 or 0xFF), or end. */
static inline size_t next_marker(const uint8_t *data, size_t end, size_t pos)
{
	while (pos + 1 < end) {
		if (data[pos] == 0xff && data[pos + 1] != 0 && data[pos + 1] != 0xff)
			return pos;
		pos++;
	}
	return end;
}

/* redact.ts flagMcus for one MCU: 1 when any luma cell its area covers is set. */
static inline int mcu_touched(const doorbell_redact_job *job, const redact_plan *plan, int mx, int my)
{
	uint32_t y0 = (uint32_t)my * (uint32_t)plan->luma_per_mcu_y, x0 = (uint32_t)mx * (uint32_t)plan->luma_per_mcu_x;
	uint32_t y1 = y0 + (uint32_t)plan->luma_per_mcu_y, x1 = x0 + (uint32_t)plan->luma_per_mcu_x, x, y;
	if (y1 > job->height_cells)
		y1 = job->height_cells;
	if (x1 > job->width_cells)
		x1 = job->width_cells;
	for (y = y0; y < y1; y++)
		for (x = x0; x < x1; x++)
			if (job->cells[(size_t)y * job->width_cells + x])
				return 1;
	return 0;
}

static inline int redact_fail(doorbell_redact_info *info, int status, size_t at, const char *detail)
{
	info->error_offset = at;
	info->detail = detail;
	return status;
}

/** The same, with a 64-bit reader that copies kept bits in bulk; DOORBELL_REDACT_OK or -1: run the exact one instead,
 * which gives the refusal (or, should the fast one have been stricter, the same output). */
int doorbell_redact_scan_fast(const doorbell_redactor *r, const redact_plan *plan, const doorbell_redact_job *job,
	size_t start, redact_out *out, size_t *marker_at, uint32_t *mcus_redacted);

/**
 * Redacts the scan whose entropy-coded data starts at `start`, appending the re-encoded data to `out`; on success sets
 * *marker_at to the marker that ends the input scan and *mcus_redacted. Returns DOORBELL_REDACT_OK or a negative code.
 */
int doorbell_redact_scan(const doorbell_redactor *r, const redact_plan *plan, const doorbell_redact_job *job, size_t start,
	redact_out *out, size_t *marker_at, uint32_t *mcus_redacted, doorbell_redact_info *info);

#endif
