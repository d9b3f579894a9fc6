// SPDX-License-Identifier: MIT
// JPEG -> DC luma thumbnail, the C twin of modules/jpeg/ (thumbnail-decoder.ts, luma-scan.ts,
// huffman-tables.ts): ITU T.81 marker walk (Annex B), Huffman decoding (Annex C, §F.2.2) of the scan that
// holds luma, DC only, scaled as libjpeg-turbo's 1/8 IDCT. Every read is bounds-checked; no allocation.
#include "doorbell_thumb.h"

#include <string.h>

#define LOOK DOORBELL_THUMB_LOOK_BITS
#define LOOK_SIZE (1 << LOOK)
#define LOOK_MASK (LOOK_SIZE - 1)
#define END_OF_BLOCK 64
#define MAX_BLOCKS_IN_MCU 10 /* T.81 §B.2.3; libjpeg's D_MAX_BLOCKS_IN_MCU */

/* T.81 Annex K.3, Tables K.3-K.6: BITS then HUFFVAL. libjpeg-turbo installs them in slots 0 and 1 when a
 * frame has no DHT (Motion-JPEG), and so does this decoder. */
static const uint8_t STD_DC_LUMINANCE[16 + 12] = { 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
static const uint8_t STD_DC_CHROMINANCE[16 + 12] = { 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
static const uint8_t STD_AC_LUMINANCE[16 + 162] = { 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d,
	0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
	0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
	0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
	0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
	0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
	0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
	0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
	0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
	0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	0xf9, 0xfa };
static const uint8_t STD_AC_CHROMINANCE[16 + 162] = { 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77,
	0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
	0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
	0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
	0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
	0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
	0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
	0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	0xf9, 0xfa };
static const uint8_t *const STANDARD[8] = { STD_DC_LUMINANCE, STD_DC_CHROMINANCE, NULL, NULL,
	STD_AC_LUMINANCE, STD_AC_CHROMINANCE, NULL, NULL };
static const size_t STANDARD_LENGTH[8] = { sizeof STD_DC_LUMINANCE, sizeof STD_DC_CHROMINANCE, 0, 0,
	sizeof STD_AC_LUMINANCE, sizeof STD_AC_CHROMINANCE, 0, 0 };

/* Marker codes (T.81 Table B.1). */
enum {
	M_SOF0 = 0xc0, M_SOF1 = 0xc1, M_SOF2 = 0xc2, M_DHT = 0xc4, M_JPG = 0xc8, M_SOF9 = 0xc9, M_DAC = 0xcc,
	M_SOF15 = 0xcf, M_RST0 = 0xd0, M_RST7 = 0xd7, M_SOI = 0xd8, M_EOI = 0xd9, M_SOS = 0xda, M_DQT = 0xdb,
	M_DNL = 0xdc, M_DRI = 0xdd, M_APP0 = 0xe0, M_APP14 = 0xee, M_APP15 = 0xef, M_COM = 0xfe, M_TEM = 0x01
};

typedef struct {
	int mcus_x, mcus_y, blocks;
	int dc_slot[MAX_BLOCKS_IN_MCU], ac_slot[MAX_BLOCKS_IN_MCU], predictor[MAX_BLOCKS_IN_MCU];
	int luma_x[MAX_BLOCKS_IN_MCU], luma_y[MAX_BLOCKS_IN_MCU]; /* -1 for chroma blocks */
	int luma_per_mcu_x, luma_per_mcu_y;
	unsigned restart_interval;
	int q0;
} scan_plan;

typedef struct {
	const uint8_t *data;
	size_t end, pos;
	uint32_t acc; /* the low nbits bits are unread, oldest first */
	int nbits;
	int phantom; /* zero bits appended past a marker or the end, which valid data never reaches */
} bit_reader;

static int fail(doorbell_thumb_info *info, int status, size_t at, const char *detail)
{
	info->error_offset = at;
	info->detail = detail;
	return status;
}

void doorbell_thumb_init(doorbell_thumb_decoder *d)
{
	memset(d->built, 0, sizeof d->built);
	memset(d->raw_length, 0, sizeof d->raw_length);
}

const char *doorbell_thumb_code(int status)
{
	switch (status) {
	case DOORBELL_THUMB_OK: return "ok";
	case DOORBELL_THUMB_NOT_JPEG: return "not-jpeg";
	case DOORBELL_THUMB_TRUNCATED: return "truncated";
	case DOORBELL_THUMB_CORRUPT: return "corrupt";
	case DOORBELL_THUMB_UNSUPPORTED: return "unsupported";
	case DOORBELL_THUMB_TOO_LARGE: return "too-large";
	default: return "unknown";
	}
}

/* EXTEND (T.81 Figure F.12). */
static int32_t extend(uint32_t v, int s)
{
	return s == 0 ? 0 : v < (1u << (s - 1)) ? (int32_t)v - (int32_t)(1u << s) + 1 : (int32_t)v;
}

/* Builds slot `slot` from BITS + HUFFVAL at spec[0 .. available) unless it already holds those bytes (Annex C).
 * Returns the bytes used, or 0 with *detail set. */
static size_t load_table(doorbell_thumb_decoder *d, int slot, const uint8_t *spec, size_t available, const char **detail)
{
	size_t count = 0, length, i;
	int is_dc = slot < 4, len, k = 0;
	int32_t code = 0;

	if (available < 16) {
		*detail = "DHT segment shorter than its counts";
		return 0;
	}
	for (i = 0; i < 16; i++)
		count += spec[i];
	if (count > 256) {
		*detail = "Huffman table with more than 256 codes";
		return 0;
	}
	length = 16 + count;
	if (length > available) {
		*detail = "DHT segment shorter than its Huffman values";
		return 0;
	}
	if (d->built[slot] && d->raw_length[slot] == length && !memcmp(d->raw[slot], spec, length))
		return length;
	d->built[slot] = 0;
	for (i = 0; i < count; i++) {
		if (is_dc && spec[16 + i] > 15) {
			*detail = "DC Huffman symbol above 15";
			return 0;
		}
		d->values[slot][i] = spec[16 + i];
	}
	memset(d->fast[slot], 0, sizeof d->fast[slot]);
	memset(d->look[slot], 0, sizeof d->look[slot]);
	for (len = 1; len <= 16; len++) {
		int n = spec[len - 1], j;
		/* Annex C: the codes of one length must fit it; the all-ones code is refused, as libjpeg does. */
		if (code + n >= (1 << len)) {
			*detail = "Huffman code lengths overflow";
			return 0;
		}
		d->val_offset[slot][len] = k - code;
		d->min_code[slot][len] = code;
		d->max_code[slot][len] = n ? code + n - 1 : -1;
		for (j = 0; j < n; j++, k++, code++) {
			if (len <= LOOK) {
				int symbol = d->values[slot][k], size = symbol & 15, total = len + size, spare = LOOK - len, fill;
				int first = code << spare;
				for (fill = 0; fill < (1 << spare); fill++) {
					int index = first | fill, value;
					d->look[slot][index] = (uint16_t)((len << 8) | symbol);
					if (total > LOOK)
						continue;
					if (is_dc)
						value = extend((uint32_t)((index >> (LOOK - total)) & ((1 << size) - 1)), size);
					else if (size)
						value = (symbol >> 4) + 1;
					else
						value = (symbol >> 4) == 15 ? 16 : END_OF_BLOCK; /* libjpeg: any other size-0 run ends the block */
					d->fast[slot][index] = (int16_t)(value * 32 + total);
				}
			}
		}
		code <<= 1;
	}
	memcpy(d->raw[slot], spec, length);
	d->raw_length[slot] = (uint16_t)length;
	d->built[slot] = 1;
	return length;
}

/* Tops the buffer up to at least 25 bits. -1 when bits past the data were already being decoded. */
static inline int refill(bit_reader *b)
{
	while (b->nbits <= 24) {
		uint32_t byte = 0;
		if (b->pos < b->end) {
			byte = b->data[b->pos];
			if (byte != 0xff)
				b->pos++;
			else if (b->pos + 1 < b->end && b->data[b->pos + 1] == 0)
				b->pos += 2; /* stuffed zero (T.81 §F.1.2.3) */
			else { /* a marker: stay on it */
				if (b->nbits < b->phantom)
					return -1;
				byte = 0;
				b->phantom += 8;
			}
		} else {
			if (b->nbits < b->phantom)
				return -1;
			b->phantom += 8;
		}
		b->acc = (b->acc << 8) | byte;
		b->nbits += 8;
	}
	return 0;
}

/* The code at the head of the buffer (>= 16 bits) that the fast table could not finish (T.81 Figure F.16):
 * (length << 8) | symbol, or -1 for a pattern that is no code. */
static int slow_symbol(const doorbell_thumb_decoder *d, int slot, int index, const bit_reader *b)
{
	int len;
	if (d->look[slot][index])
		return d->look[slot][index];
	for (len = LOOK + 1; len <= 16; len++) {
		int32_t code = (int32_t)((b->acc >> (b->nbits - len)) & ((1u << len) - 1));
		if (code <= d->max_code[slot][len] && code >= d->min_code[slot][len])
			return (len << 8) | d->values[slot][d->val_offset[slot][len] + code];
	}
	return -1;
}

/* The offset of the next marker at or after pos (0xFF then not 0x00 or 0xFF), or end. */
static size_t next_marker(const uint8_t *data, size_t end, size_t pos)
{
	while (pos + 1 < end) {
		if (data[pos] == 0xff && data[pos + 1] != 0 && data[pos + 1] != 0xff)
			return pos;
		pos++;
	}
	return end;
}

/* libjpeg-turbo's 1/8 sample (jidctred.c jpeg_idct_1x1): DESCALE(DC * Q0, 3) through the post-IDCT
 * range limit (jdmaster.c), which clamps to 0..255 and wraps mod 1024. The DC is a 16-bit JCOEF. */
static inline uint8_t dc_sample(int32_t dc, int q0)
{
	int32_t v = (int32_t)(int16_t)(uint16_t)(uint32_t)dc * q0 + 4;
	uint32_t x = (uint32_t)(v >= 0 ? v / 8 : -((-v + 7) / 8)) & 1023u; /* floor division, then mod 1024 */
	return (uint8_t)(x < 128 ? x + 128 : x < 512 ? 255 : x < 896 ? 0 : x - 896);
}

/* At the end of a restart interval (T.81 §F.2.1.3.1): byte-align and step over RSTm, m = next_rst, with the bit
 * buffer emptied. The caller resets the DC predictions. */
static int skip_restart_marker(bit_reader *b, int next_rst, doorbell_thumb_info *info)
{
	if (b->nbits < b->phantom)
		return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends inside a restart interval");
	b->pos = next_marker(b->data, b->end, b->pos);
	if (b->pos + 1 >= b->end)
		return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "data ends where a restart marker belongs");
	if (b->data[b->pos + 1] != M_RST0 + next_rst)
		return fail(info, DOORBELL_THUMB_CORRUPT, b->pos, "restart marker out of sequence");
	b->pos += 2;
	b->acc = 0;
	b->nbits = b->phantom = 0;
	return DOORBELL_THUMB_OK;
}

/* After the last MCU: no bit decoded was a phantom one, and a marker follows the entropy-coded data. */
static int scan_end(bit_reader *b, doorbell_thumb_info *info)
{
	if (b->nbits < b->phantom)
		return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends before the last MCU");
	b->pos = next_marker(b->data, b->end, b->pos);
	if (b->pos >= b->end)
		return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "no marker after the scan");
	return DOORBELL_THUMB_OK;
}

/* Entropy-decodes the luma scan (T.81 §F.2.2): one DC sample per luma block, the AC codes skipped. */
/* hot loop: inlined for speed (BENCHMARKS.md, motion section); exempt from the 80-line function rule */
static int decode_scan(const doorbell_thumb_decoder *d, bit_reader *b, const scan_plan *plan, uint8_t *out,
	int out_w, int out_h, doorbell_thumb_info *info)
{
	int32_t pred[4] = { 0, 0, 0, 0 };
	unsigned todo = plan->restart_interval;
	int next_rst = 0, mx, my, blk;

	for (my = 0; my < plan->mcus_y; my++) {
		for (mx = 0; mx < plan->mcus_x; mx++) {
			if (plan->restart_interval) {
				if (todo == 0) {
					int status = skip_restart_marker(b, next_rst, info);
					if (status != DOORBELL_THUMB_OK)
						return status;
					next_rst = (next_rst + 1) & 7;
					pred[0] = pred[1] = pred[2] = pred[3] = 0;
					todo = plan->restart_interval;
				}
				todo--;
			}
			for (blk = 0; blk < plan->blocks; blk++) {
				int slot = plan->dc_slot[blk], index, entry, k, lx;
				int32_t diff = 0;
				/* DC difference (T.81 §F.2.2.1) */
				if (b->nbits < 16 && refill(b))
					return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends inside a block");
				index = (int)((b->acc >> (b->nbits - LOOK)) & LOOK_MASK);
				entry = d->fast[slot][index];
				if (entry) {
					b->nbits -= entry & 31;
					diff = (entry - (entry & 31)) / 32; /* exact: the low 5 bits are the bit count */
				} else {
					int code = slow_symbol(d, slot, index, b), size;
					if (code < 0)
						return fail(info, DOORBELL_THUMB_CORRUPT, b->pos, "bad Huffman code in entropy-coded data");
					b->nbits -= code >> 8;
					size = code & 15;
					if (size) {
						if (b->nbits < size && refill(b))
							return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends inside a block");
						diff = extend((b->acc >> (b->nbits - size)) & ((1u << size) - 1), size);
						b->nbits -= size;
					}
				}
				pred[plan->predictor[blk]] = (int32_t)((uint32_t)pred[plan->predictor[blk]] + (uint32_t)diff);
				lx = plan->luma_x[blk];
				if (lx >= 0) {
					int x = mx * plan->luma_per_mcu_x + lx, y = my * plan->luma_per_mcu_y + plan->luma_y[blk];
					if (x < out_w && y < out_h)
						out[(size_t)y * (size_t)out_w + (size_t)x] = dc_sample(pred[plan->predictor[blk]], plan->q0);
				}
				/* AC codes, skipped (T.81 §F.2.2.2) */
				slot = plan->ac_slot[blk];
				for (k = 1; k < 64;) {
					if (b->nbits < 16 && refill(b))
						return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends inside a block");
					index = (int)((b->acc >> (b->nbits - LOOK)) & LOOK_MASK);
					entry = d->fast[slot][index];
					if (entry) {
						b->nbits -= entry & 31;
						k += entry >> 5;
					} else {
						int rs = slow_symbol(d, slot, index, b), size;
						if (rs < 0)
							return fail(info, DOORBELL_THUMB_CORRUPT, b->pos, "bad Huffman code in entropy-coded data");
						b->nbits -= rs >> 8;
						size = rs & 15;
						if (size) {
							if (b->nbits < size && refill(b))
								return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends inside a block");
							b->nbits -= size;
							k += ((rs >> 4) & 15) + 1;
						} else if (((rs >> 4) & 15) == 15)
							k += 16;
						else
							k = END_OF_BLOCK;
					}
				}
			}
		}
	}
	return scan_end(b, info);
}

static unsigned ceil_div(unsigned a, unsigned b)
{
	return (a + b - 1) / b;
}

int doorbell_thumb_decode(doorbell_thumb_decoder *d, const uint8_t *data, size_t end, uint8_t *out, size_t capacity,
	doorbell_thumb_info *info)
{
	uint8_t in_frame[8] = { 0 }, quant_set[4] = { 0 };
	int quant0[4] = { 0 }, comp_id[4] = { 0 }, comp_h[4] = { 0 }, comp_v[4] = { 0 }, comp_tq[4] = { 0 }, scan_comp[4] = { 0 };
	int comps = 0, h_max = 1, v_max = 1, saw_jfif = 0, adobe_transform = -1;
	unsigned width = 0, height = 0, restart_interval = 0;
	size_t pos = 2;
	scan_plan plan;

	memset(info, 0, sizeof *info);
	if (!data || end < 2 || data[0] != 0xff || data[1] != M_SOI)
		return fail(info, DOORBELL_THUMB_NOT_JPEG, 0, "no SOI marker (0xFFD8) at the start");
	for (;;) {
		size_t at, p, seg_end, length;
		int marker;
		/* T.81 §B.1.1.2: a marker is 0xFF then a code, after any number of 0xFF fill bytes. */
		if (pos >= end)
			return fail(info, DOORBELL_THUMB_TRUNCATED, pos, "data ends before the luma scan");
		if (data[pos] != 0xff)
			return fail(info, DOORBELL_THUMB_CORRUPT, pos, "expected a marker");
		while (pos + 1 < end && data[pos + 1] == 0xff)
			pos++;
		if (pos + 1 >= end)
			return fail(info, DOORBELL_THUMB_TRUNCATED, pos, "data ends inside a marker");
		marker = data[pos + 1];
		at = pos;
		if ((marker >= M_RST0 && marker <= M_RST7) || marker == M_TEM) { /* parameterless, ignored as libjpeg does */
			pos += 2;
			continue;
		}
		if (marker == M_SOI)
			return fail(info, DOORBELL_THUMB_CORRUPT, at, "a second SOI marker");
		if (marker == M_EOI)
			return fail(info, DOORBELL_THUMB_CORRUPT, at, "EOI before any luma scan");
		if (pos + 4 > end)
			return fail(info, DOORBELL_THUMB_TRUNCATED, at, "data ends inside a marker segment length");
		length = ((size_t)data[pos + 2] << 8) | data[pos + 3];
		if (length < 2)
			return fail(info, DOORBELL_THUMB_CORRUPT, at, "marker segment length below 2");
		p = pos + 4;
		seg_end = pos + 2 + length;
		if (seg_end > end)
			return fail(info, DOORBELL_THUMB_TRUNCATED, at, "marker segment runs past the end");
		pos = seg_end;

		if (marker == M_DQT) {
			/* §B.2.4.1: Pq/Tq, then 64 entries of 8 or 16 bits in zigzag order; entry 0 is the DC quantizer. */
			size_t q = p;
			while (q < seg_end) {
				int pq = data[q] >> 4, tq = data[q] & 15;
				size_t size = 64u * (size_t)(pq + 1);
				if (pq > 1 || tq > 3)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, "DQT precision or destination out of range");
				if (q + 1 + size > seg_end)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, "DQT segment shorter than its tables");
				quant0[tq] = pq ? (data[q + 1] << 8) | data[q + 2] : data[q + 1];
				quant_set[tq] = 1;
				q += 1 + size;
			}
		} else if (marker == M_DHT) {
			/* §B.2.4.2: Tc/Th, 16 counts, the values; repeated. */
			size_t q = p;
			while (q < seg_end) {
				int tc = data[q] >> 4, th = data[q] & 15;
				const char *detail = NULL;
				size_t used;
				if (tc > 1 || th > 3)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, "DHT class or destination out of range");
				if (q + 17 > seg_end)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, "DHT segment shorter than its counts");
				used = load_table(d, tc * 4 + th, data + q + 1, seg_end - (q + 1), &detail);
				if (!used)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, detail);
				in_frame[tc * 4 + th] = 1;
				q += 1 + used;
			}
		} else if (marker == M_DRI) {
			if (length != 4)
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "DRI segment length is not 4");
			restart_interval = ((unsigned)data[p] << 8) | data[p + 1];
		} else if (marker >= M_SOF0 && marker <= M_SOF15 && marker != M_DHT && marker != M_DAC && marker != M_JPG) {
			int nf, c;
			if (comps)
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "a second SOF marker");
			if (marker != M_SOF0 && marker != M_SOF1)
				return fail(info, DOORBELL_THUMB_UNSUPPORTED, at,
					marker == M_SOF2 ? "progressive JPEG (SOF2) is not supported; set the camera to baseline"
					: marker >= M_SOF9 ? "arithmetic-coded JPEG is not supported"
					: "lossless or hierarchical JPEG is not supported");
			/* §B.2.2: P, Y, X, Nf, then Ci, Hi/Vi, Tqi per component. */
			if (length < 8)
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOF segment too short");
			height = ((unsigned)data[p + 1] << 8) | data[p + 2];
			width = ((unsigned)data[p + 3] << 8) | data[p + 4];
			nf = data[p + 5];
			if (data[p] != 8)
				return fail(info, DOORBELL_THUMB_UNSUPPORTED, at, "only 8-bit samples are supported");
			if (length != 8 + 3 * (size_t)nf)
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOF length does not match its components");
			if (width == 0 || height == 0)
				return fail(info, DOORBELL_THUMB_UNSUPPORTED, at, "a zero frame size (DNL-defined height) is not supported");
			if (nf != 1 && nf != 3)
				return fail(info, DOORBELL_THUMB_UNSUPPORTED, at, "only grayscale or Y/Cb/Cr JPEG is supported");
			for (c = 0; c < nf; c++) {
				size_t q = p + 6 + 3 * (size_t)c;
				int e;
				comp_id[c] = data[q];
				comp_h[c] = data[q + 1] >> 4;
				comp_v[c] = data[q + 1] & 15;
				comp_tq[c] = data[q + 2];
				if (comp_h[c] < 1 || comp_h[c] > 4 || comp_v[c] < 1 || comp_v[c] > 4)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, "sampling factors out of range");
				if (comp_tq[c] > 3)
					return fail(info, DOORBELL_THUMB_CORRUPT, q, "quantization table out of range");
				for (e = 0; e < c; e++)
					if (comp_id[e] == comp_id[c])
						return fail(info, DOORBELL_THUMB_CORRUPT, q, "duplicate component id");
				if (comp_h[c] > h_max)
					h_max = comp_h[c];
				if (comp_v[c] > v_max)
					v_max = comp_v[c];
			}
			if (comp_h[0] != h_max || comp_v[0] != v_max)
				return fail(info, DOORBELL_THUMB_UNSUPPORTED, at, "luma sampled below the frame's maximum");
			comps = nf;
			if ((size_t)ceil_div(width, 8) * ceil_div(height, 8) > capacity)
				return fail(info, DOORBELL_THUMB_TOO_LARGE, at, "the thumbnail does not fit the output buffer");
		} else if (marker == M_SOS) {
			int ns, j, k, has_luma = 0;
			if (!comps)
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOS before SOF");
			/* libjpeg's colour-space guess for three components (jdapimin.c default_decompress_parms). */
			if (comps == 3 && !saw_jfif
				&& (adobe_transform >= 0 ? adobe_transform == 0
					: (comp_id[0] == 'R' && comp_id[1] == 'G' && comp_id[2] == 'B')))
				return fail(info, DOORBELL_THUMB_UNSUPPORTED, at, "RGB JPEG (no luma component)");
			/* §B.2.3: Ns, then Csj, Tdj/Taj, then Ss, Se, Ah/Al (ignored for sequential, as libjpeg does). */
			ns = length > 2 ? data[p] : 0;
			if (ns < 1 || ns > 4 || length != 6 + 2 * (size_t)ns)
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOS component count or length");
			for (j = 0; j < ns; j++) {
				int id = data[p + 1 + 2 * j], c = 0;
				while (c < comps && comp_id[c] != id)
					c++;
				if (c == comps)
					return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOS names a component not in the frame");
				for (k = 0; k < j; k++)
					if (scan_comp[k] == c)
						return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOS names a component twice");
				scan_comp[j] = c;
				if (c == 0)
					has_luma = 1;
			}
			if (!has_luma) {
				/* Skip a scan without luma: to the next marker that is not RSTn. */
				for (;;) {
					pos = next_marker(data, end, pos);
					if (pos >= end)
						return fail(info, DOORBELL_THUMB_TRUNCATED, pos, "data ends inside a scan");
					if (data[pos + 1] < M_RST0 || data[pos + 1] > M_RST7)
						break;
					pos += 2;
				}
				continue;
			}
			if (!quant_set[comp_tq[0]])
				return fail(info, DOORBELL_THUMB_CORRUPT, at, "the luma quantization table was never defined");
			/* §A.2.2 non-interleaved (one block per MCU), §A.2.3 interleaved. */
			if (ns == 1) {
				plan.mcus_x = (int)ceil_div(width, 8);
				plan.mcus_y = (int)ceil_div(height, 8);
				plan.luma_per_mcu_x = plan.luma_per_mcu_y = 1;
			} else {
				plan.mcus_x = (int)ceil_div(width, 8u * (unsigned)h_max);
				plan.mcus_y = (int)ceil_div(height, 8u * (unsigned)v_max);
				plan.luma_per_mcu_x = comp_h[0];
				plan.luma_per_mcu_y = comp_v[0];
			}
			plan.blocks = 0;
			for (j = 0; j < ns; j++) {
				int c = scan_comp[j], td = data[p + 2 + 2 * j] >> 4, ta = data[p + 2 + 2 * j] & 15, x, y;
				int h = ns == 1 ? 1 : comp_h[c], v = ns == 1 ? 1 : comp_v[c], slots[2], s;
				if (td > 3 || ta > 3)
					return fail(info, DOORBELL_THUMB_CORRUPT, at, "SOS Huffman table out of range");
				slots[0] = td;
				slots[1] = 4 + ta;
				for (s = 0; s < 2; s++) {
					const char *detail = NULL;
					if (in_frame[slots[s]])
						continue;
					if (!STANDARD[slots[s]])
						return fail(info, DOORBELL_THUMB_CORRUPT, at, "scan uses a Huffman table never defined");
					if (!load_table(d, slots[s], STANDARD[slots[s]], STANDARD_LENGTH[slots[s]], &detail))
						return fail(info, DOORBELL_THUMB_CORRUPT, at, detail);
					in_frame[slots[s]] = 1;
				}
				for (y = 0; y < v; y++) {
					for (x = 0; x < h; x++) {
						if (plan.blocks == MAX_BLOCKS_IN_MCU)
							return fail(info, DOORBELL_THUMB_CORRUPT, at, "more than 10 blocks in an MCU");
						plan.dc_slot[plan.blocks] = td;
						plan.ac_slot[plan.blocks] = 4 + ta;
						plan.predictor[plan.blocks] = j;
						plan.luma_x[plan.blocks] = c == 0 ? x : -1;
						plan.luma_y[plan.blocks] = c == 0 ? y : -1;
						plan.blocks++;
					}
				}
			}
			plan.restart_interval = restart_interval;
			plan.q0 = quant0[comp_tq[0]];
			{
				bit_reader b = { data, end, pos, 0, 0, 0 };
				int out_w = (int)ceil_div(width, 8), out_h = (int)ceil_div(height, 8);
				int status = decode_scan(d, &b, &plan, out, out_w, out_h, info);
				if (status != DOORBELL_THUMB_OK)
					return status;
				info->width = (uint16_t)out_w;
				info->height = (uint16_t)out_h;
				info->frame_width = (uint16_t)width;
				info->frame_height = (uint16_t)height;
				return DOORBELL_THUMB_OK;
			}
		} else if (marker == M_APP0) {
			if (length >= 16 && !memcmp(data + p, "JFIF", 5))
				saw_jfif = 1;
		} else if (marker == M_APP14) {
			if (length >= 14 && !memcmp(data + p, "Adobe", 5))
				adobe_transform = data[p + 11];
		} else if (marker == M_DAC) {
			return fail(info, DOORBELL_THUMB_UNSUPPORTED, at, "arithmetic coding (DAC) is not supported");
		} else if (!((marker >= M_APP0 && marker <= M_APP15) || marker == M_COM || marker == M_DNL)) {
			return fail(info, DOORBELL_THUMB_CORRUPT, at, "unknown marker");
		}
	}
}
