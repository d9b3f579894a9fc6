// SPDX-License-Identifier: MIT
// Internal to doorbell_redact.c and doorbell_redact_scan.c: the scan plan the marker walk hands to the hot loop.
#ifndef DOORBELL_REDACT_SCAN_H
#define DOORBELL_REDACT_SCAN_H

#include "doorbell_redact.h"

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

static inline int redact_fail(doorbell_redact_info *info, int status, size_t at, const char *detail)
{
	info->error_offset = at;
	info->detail = detail;
	return status;
}

/**
 * Redacts the scan whose entropy-coded data starts at `start`, appending the re-encoded data to `out`; on success sets
 * *marker_at to the marker that ends the input scan and *mcus_redacted. Returns DOORBELL_REDACT_OK or a negative code.
 */
int doorbell_redact_scan(const doorbell_redactor *r, const redact_plan *plan, const doorbell_redact_job *job, size_t start,
	redact_out *out, size_t *marker_at, uint32_t *mcus_redacted, doorbell_redact_info *info);

#endif
