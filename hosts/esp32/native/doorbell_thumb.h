// SPDX-License-Identifier: MIT
// JPEG -> DC luma thumbnail (1/8 scale) in plain C for the ESP32: the same decoder as
// modules/jpeg/thumbnail-decoder.ts, byte-identical to libjpeg-turbo's djpeg -grayscale -scale 1/8.
// No XS and no allocation here: thumb-xs.c binds it. One decoder state per thread.
#ifndef DOORBELL_THUMB_H
#define DOORBELL_THUMB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes, one per JpegError code of the TypeScript decoder. */
enum {
	DOORBELL_THUMB_OK = 0,
	DOORBELL_THUMB_NOT_JPEG = -1,    /* no SOI marker at the start (ITU T.81 §B.2.1) */
	DOORBELL_THUMB_TRUNCATED = -2,   /* the data ends before the luma scan is complete */
	DOORBELL_THUMB_CORRUPT = -3,     /* a malformed segment, Huffman table or entropy-coded data */
	DOORBELL_THUMB_UNSUPPORTED = -4, /* progressive, lossless, arithmetic, 12-bit, CMYK, RGB, subsampled luma */
	DOORBELL_THUMB_TOO_LARGE = -5    /* the thumbnail does not fit the output buffer */
};

/** Bits per fast Huffman lookup; longer codes take the slow path (T.81 Figure F.16). */
#define DOORBELL_THUMB_LOOK_BITS 9

/** Bits per multi-code AC lookup (the two AC tables a baseline JPEG may have). */
#define DOORBELL_THUMB_MULTI_BITS 12

/** Decoder state: Huffman tables for the 8 DHT slots, cached between frames. About 33 KB; keep it off the stack. */
typedef struct {
	int16_t fast[8][1 << DOORBELL_THUMB_LOOK_BITS]; /* (value << 5) | bits, 0 = slow path */
	/* AC slots 0 and 1: every whole AC code (with its extra bits) that fits in the next MULTI_BITS bits, up to
	 * an EOB: bits to drop (bits 0..3), the k increment of all codes but the last (4..9), the last code's
	 * increment (10..14; 0 = EOB). 0 when not even one code fits. */
	uint16_t multi[2][1 << DOORBELL_THUMB_MULTI_BITS];
	uint16_t look[8][1 << DOORBELL_THUMB_LOOK_BITS]; /* (code length << 8) | symbol, 0 = longer code */
	int32_t max_code[8][17];
	int32_t min_code[8][17];
	int32_t val_offset[8][17];
	uint8_t values[8][256];
	uint8_t raw[8][16 + 256]; /* the DHT bytes each slot was built from */
	uint16_t raw_length[8];
	uint8_t built[8];
} doorbell_thumb_decoder;

typedef struct {
	/** Thumbnail cells across and down: ceil(frame / 8). */
	uint16_t width, height;
	/** The JPEG's size in pixels (T.81 §B.2.2). */
	uint16_t frame_width, frame_height;
	/** On error: the byte offset where the decoder gave up, and a fixed English reason. */
	size_t error_offset;
	const char *detail;
} doorbell_thumb_info;

/** Prepares `d` (no tables cached). */
void doorbell_thumb_init(doorbell_thumb_decoder *d);

/**
 * Decodes `jpeg` into `out` (row-major, one byte per 8x8 block, width x height) and fills `info`.
 * Never reads outside jpeg[0 .. length) or writes outside out[0 .. capacity). Returns DOORBELL_THUMB_OK
 * or a negative code, with info->detail and info->error_offset set.
 */
int doorbell_thumb_decode(doorbell_thumb_decoder *d, const uint8_t *jpeg, size_t length, uint8_t *out, size_t capacity,
	doorbell_thumb_info *info);

/** The JpegError code name of a result: "not-jpeg", "truncated", "corrupt", "unsupported", "too-large" (or "ok"). */
const char *doorbell_thumb_code(int status);

#ifdef __cplusplus
}
#endif

#endif
