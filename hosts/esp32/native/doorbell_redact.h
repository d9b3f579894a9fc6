// SPDX-License-Identifier: MIT
// Privacy redaction inside a baseline JPEG (issue 14) in plain C for the ESP32: the C twin of modules/jpeg/redact.ts,
// byte for byte. The caller passes the cell mask (TypeScript's zoneCells), the output buffer and the state; no XS, no allocation.
#ifndef DOORBELL_REDACT_H
#define DOORBELL_REDACT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Result codes: one per RedactErrorCode of redact.ts, and NO_ROOM (the output buffer was too small). */
enum {
	DOORBELL_REDACT_OK = 0,
	DOORBELL_REDACT_NOT_JPEG = -1,     /* no SOI marker at the start (ITU T.81 §B.2.1) */
	DOORBELL_REDACT_TRUNCATED = -2,    /* the data ends before the scan is complete */
	DOORBELL_REDACT_CORRUPT = -3,      /* a malformed segment, Huffman table or entropy-coded data */
	DOORBELL_REDACT_UNSUPPORTED = -4,  /* progressive, arithmetic, 12-bit, RGB, separate scans, ... */
	DOORBELL_REDACT_TOO_LARGE = -5,    /* more 8x8 cells than max_cells */
	DOORBELL_REDACT_MISSING_CODE = -6, /* re-encoding needs a symbol (EOB, a DC category) the image's table lacks */
	DOORBELL_REDACT_MASK_SIZE = -7,    /* the mask is not ceil(width/8) x ceil(height/8) cells */
	DOORBELL_REDACT_BAD_OPTION = -8,   /* grey outside 0..255 */
	DOORBELL_REDACT_NO_ROOM = -9       /* the output did not fit `capacity`: retry with info.output_bound bytes */
};

/** Bits per fast Huffman lookup; longer codes (and code + extra bits) take the slow path (T.81 Figure F.16). */
#define DOORBELL_REDACT_LOOK_BITS 10
/** Bits per multi-code AC lookup: every whole coefficient code (and a closing EOB) in that many bits at once. */
#define DOORBELL_REDACT_MULTI_BITS 12

/**
 * Redactor state: decoding tables for the 8 DHT slots (cached between frames that carry the same DHT bytes) and the
 * encoding tables (T.81 §C.2) rebuilt per scan. About 76 KB (77,560 bytes on x86-64): allocate it once (PSRAM will
 * do), keep it off the stack. A zero-filled state is ready; so is one passed to doorbell_redact_init. One per thread.
 */
typedef struct {
	int16_t fast[8][1 << DOORBELL_REDACT_LOOK_BITS];  /* DC: (diff << 5) | bits; AC: (rs << 5) | bits; 0 = slow path */
	uint16_t look[8][1 << DOORBELL_REDACT_LOOK_BITS]; /* (code length << 8) | symbol, 0 = a longer code */
	/* Per AC slot: bits of the whole codes (coefficients, then maybe EOB) at the head | k increment << 5 | EOB << 12 */
	uint16_t multi[4][1 << DOORBELL_REDACT_MULTI_BITS];
	int32_t max_code[8][17];
	int32_t min_code[8][17];
	int32_t val_offset[8][17];
	uint8_t values[8][256];
	uint8_t raw[8][16 + 256]; /* the BITS + HUFFVAL each slot was built from */
	uint16_t raw_length[8];
	uint8_t built[8];
	uint16_t ecode[8][256]; /* EHUFCO per slot */
	uint8_t esize[8][256];  /* EHUFSI per slot, 0 = no code */
} doorbell_redactor;

/** One redaction: the input, the mask, the options and the output buffer. */
typedef struct {
	const uint8_t *jpeg;
	size_t length;
	/** One byte per 8x8 luma-resolution cell, row-major, 1 = in a zone (modules/privacy/zone-cells.ts). */
	const uint8_t *cells;
	size_t cells_length;
	uint32_t width_cells, height_cells;
	/** The flat grey, 0..255 (redact.ts DEFAULT_GREY is 128). */
	int grey;
	/** Largest image accepted, in 8x8 cells (redact.ts's default: 262,144); more is DOORBELL_REDACT_TOO_LARGE. */
	uint32_t max_cells;
	/**
	 * The output. Never written past `capacity`. Sizes that never give NO_ROOM: length + 2 covers everything before the
	 * scan; the whole image fits in info.output_bound = (bytes up to the scan) + 2 x (scan bytes) + 2 x ceil(46 x blocks
	 * / 8) + 4 x (restart intervals) + 2, which the info reports once the SOS is read. Camera frames redacted with the
	 * acceptance mask come out smaller than their input, so length + 1024 is the practical first try.
	 */
	uint8_t *out;
	size_t capacity;
} doorbell_redact_job;

typedef struct {
	/** On success: bytes written to out, MCUs flattened, MCUs in the scan. */
	size_t length;
	uint32_t mcus_redacted, mcus;
	/** The frame size (T.81 §B.2.2), once the SOF is read; for the mask-size message. */
	uint16_t frame_width, frame_height;
	/** The bound above, once the SOS is read (0 before). */
	size_t output_bound;
	/** On error: the byte offset where the redactor gave up (as redact.ts reports it), and a fixed English reason. */
	size_t error_offset;
	const char *detail;
} doorbell_redact_info;

/** Prepares `r` (no tables cached). */
void doorbell_redact_init(doorbell_redactor *r);

/**
 * Redacts job->jpeg into job->out: every MCU whose luma area touches a set cell becomes flat grey, every other block keeps
 * its coefficients; the image is rebuilt from SOI, its SOF/DQT/DHT/DRI, the re-encoded scan and EOI (APPn and COM
 * dropped). Never reads outside jpeg[0 .. length) or cells[0 .. cells_length), never writes outside out[0 .. capacity).
 * Returns DOORBELL_REDACT_OK or a negative code, with info->detail and info->error_offset set.
 */
int doorbell_redact(doorbell_redactor *r, const doorbell_redact_job *job, doorbell_redact_info *info);

/** The RedactErrorCode name of a result: "not-jpeg", "truncated", ..., "no-room" (or "ok"). */
const char *doorbell_redact_code(int status);

#ifdef __cplusplus
}
#endif

#endif
