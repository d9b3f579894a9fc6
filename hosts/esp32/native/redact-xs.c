// SPDX-License-Identifier: MIT
// XS host functions over doorbell_redact.c, reached from redact.ts with native("xs_doorbell_redact…"). One redactor
// state (about 76 KB, allocated on first use) serves the firmware's single camera stream; the output is the caller's.
#include "xsmc.h"

#include <stdlib.h>
#include <string.h>

#include "doorbell_redact.h"

static doorbell_redactor *redactor;
static const char *last_detail = "";

/**
 * redact(jpeg, cells, widthCells, heightCells, grey, maxCells, out, info): redacts `jpeg` (ArrayBuffer or byte view)
 * with the mask `cells` (widthCells x heightCells; a negative size never matches) into `out` (writable) and writes
 * the output length, MCUs redacted, MCUs, the error offset, the output bound, the frame width and height into `info`
 * (an ArrayBuffer of at least 28 bytes, read as an Int32Array in host byte order). Returns 0 or a negative
 * DOORBELL_REDACT_* status.
 */
void xs_doorbell_redact(xsMachine *the)
{
	void *jpeg = NULL, *cells = NULL, *out = NULL, *info_bytes = NULL;
	xsUnsignedValue jpeg_length = 0, cells_length = 0, out_capacity = 0, info_length = 0;
	xsIntegerValue width_cells, height_cells, max_cells;
	doorbell_redact_job job;
	doorbell_redact_info info;
	int32_t fields[7];
	int status;

	if (xsmcArgc < 8)
		xsTypeError("redact: expected (jpeg, cells, widthCells, heightCells, grey, maxCells, out, info)");
	if (!redactor) {
		redactor = malloc(sizeof *redactor);
		if (!redactor)
			xsUnknownError("redact: out of memory for the redactor state");
		doorbell_redact_init(redactor);
	}
	xsmcGetBufferReadable(xsArg(0), &jpeg, &jpeg_length);
	xsmcGetBufferReadable(xsArg(1), &cells, &cells_length);
	width_cells = xsmcToInteger(xsArg(2));
	height_cells = xsmcToInteger(xsArg(3));
	max_cells = xsmcToInteger(xsArg(5));
	xsmcGetBufferWritable(xsArg(6), &out, &out_capacity);
	xsmcGetBufferWritable(xsArg(7), &info_bytes, &info_length);
	if (info_length < sizeof fields)
		xsRangeError("redact: info must hold 28 bytes");
	memset(&job, 0, sizeof job);
	job.jpeg = (const uint8_t *)jpeg;
	job.length = jpeg_length;
	job.cells = (const uint8_t *)cells;
	job.cells_length = cells_length;
	job.width_cells = width_cells < 0 ? UINT32_MAX : (uint32_t)width_cells;
	job.height_cells = height_cells < 0 ? UINT32_MAX : (uint32_t)height_cells;
	job.grey = xsmcToInteger(xsArg(4));
	job.max_cells = max_cells < 0 ? 0 : (uint32_t)max_cells;
	job.out = (uint8_t *)out;
	job.capacity = out_capacity;
	status = doorbell_redact(redactor, &job, &info);
	fields[0] = (int32_t)info.length;
	fields[1] = (int32_t)info.mcus_redacted;
	fields[2] = (int32_t)info.mcus;
	fields[3] = (int32_t)info.error_offset;
	fields[4] = info.output_bound > INT32_MAX ? INT32_MAX : (int32_t)info.output_bound;
	fields[5] = info.frame_width;
	fields[6] = info.frame_height;
	memcpy(info_bytes, fields, sizeof fields);
	last_detail = info.detail ? info.detail : "";
	xsmcSetInteger(xsResult, status);
}

/** redactDetail(): the reason of the last refused redaction, a fixed English phrase. */
void xs_doorbell_redact_detail(xsMachine *the)
{
	xsmcSetString(xsResult, (char *)last_detail);
}
