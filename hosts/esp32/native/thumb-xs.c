// SPDX-License-Identifier: MIT
// XS host functions over doorbell_thumb.c, reached from thumb.ts with native("xs_doorbell_thumbnail_…"). One decoder
// state (about 33 KB, allocated on first use) serves the firmware's single camera stream.
#include "xsmc.h"

#include <stdlib.h>
#include <string.h>

#include "doorbell_thumb.h"

static doorbell_thumb_decoder *decoder;
static const char *last_detail = "";

/**
 * thumbnailDecode(jpeg, out, info): decodes `jpeg` (ArrayBuffer or byte view) into `out` (a writable
 * ArrayBuffer or view) and writes width, height, frame width, frame height and, on error, the byte offset
 * into `info` (an ArrayBuffer of at least 20 bytes, read as an Int32Array in host byte order). Returns 0 or a
 * negative DOORBELL_THUMB_* status.
 */
void xs_doorbell_thumbnail_decode(xsMachine *the)
{
	void *jpeg = NULL, *out = NULL, *info_bytes = NULL;
	xsUnsignedValue jpeg_length = 0, out_capacity = 0, info_length = 0;
	doorbell_thumb_info info;
	int32_t fields[5];
	int status;

	if (xsmcArgc < 3)
		xsTypeError("thumbnailDecode: expected (jpeg, out, info)");
	if (!decoder) {
		decoder = malloc(sizeof *decoder);
		if (!decoder)
			xsUnknownError("thumbnailDecode: out of memory for the decoder state");
		doorbell_thumb_init(decoder);
	}
	xsmcGetBufferReadable(xsArg(0), &jpeg, &jpeg_length);
	xsmcGetBufferWritable(xsArg(1), &out, &out_capacity);
	xsmcGetBufferWritable(xsArg(2), &info_bytes, &info_length);
	if (info_length < 5 * sizeof(int32_t))
		xsRangeError("thumbnailDecode: info must hold 20 bytes");
	status = doorbell_thumb_decode(decoder, (const uint8_t *)jpeg, jpeg_length, (uint8_t *)out, out_capacity, &info);
	fields[0] = info.width;
	fields[1] = info.height;
	fields[2] = info.frame_width;
	fields[3] = info.frame_height;
	fields[4] = (int32_t)info.error_offset;
	memcpy(info_bytes, fields, sizeof fields);
	last_detail = info.detail ? info.detail : "";
	xsmcSetInteger(xsResult, status);
}

/** thumbnailDetail(): the reason of the last failed decode, a fixed English phrase. */
void xs_doorbell_thumbnail_detail(xsMachine *the)
{
	xsmcSetString(xsResult, (char *)last_detail);
}
