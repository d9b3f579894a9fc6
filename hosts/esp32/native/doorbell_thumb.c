// SPDX-License-Identifier: MIT
// JPEG -> DC luma thumbnail, the C twin of modules/jpeg/ (thumbnail-decoder.ts, luma-scan.ts,
// huffman-tables.ts): ITU T.81 marker walk (Annex B), Huffman decoding (Annex C, §F.2.2) of the scan that
// holds luma, DC only, scaled as libjpeg-turbo's 1/8 IDCT. Every read is bounds-checked; no allocation.
#include "doorbell_thumb.h"
#include "doorbell_jpeg_tables.h"

#include <string.h>

#define LOOK DOORBELL_THUMB_LOOK_BITS
#define LOOK_SIZE (1 << LOOK)
#define LOOK_MASK (LOOK_SIZE - 1)
#define MULTI DOORBELL_THUMB_MULTI_BITS
#define MULTI_SIZE (1 << MULTI)
#define MULTI_MASK (MULTI_SIZE - 1)
#define END_OF_BLOCK 64
#define MAX_BLOCKS_IN_MCU 10 /* T.81 §B.2.3; libjpeg's D_MAX_BLOCKS_IN_MCU */

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
	uint64_t acc; /* the low nbits bits are unread, oldest first */
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

/* The symbol of the code at bit `used` of the MULTI-bit pattern `index` (canonical decode, T.81 Figure F.16):
 * (length << 8) | symbol, or -1 when no code of the slot fits in the bits left. */
static int multi_symbol(const doorbell_thumb_decoder *d, int slot, int index, int used)
{
	int len;
	for (len = 1; used + len <= MULTI; len++) {
		int32_t code = (index >> (MULTI - used - len)) & ((1 << len) - 1);
		if (code <= d->max_code[slot][len] && code >= d->min_code[slot][len])
			return (len << 8) | d->values[slot][d->val_offset[slot][len] + code];
	}
	return -1;
}

/* Fills d->multi[slot - 4] (see doorbell_thumb.h) from the slot's canonical codes. */
static void fill_multi(doorbell_thumb_decoder *d, int slot)
{
	int index;
	for (index = 0; index < MULTI_SIZE; index++) {
		int used = 0, before = 0, entry = 0;
		for (;;) {
			int code = multi_symbol(d, slot, index, used), rs, size, run, inc;
			if (code < 0)
				break;
			rs = code & 255;
			size = rs & 15;
			run = rs >> 4;
			if (used + (code >> 8) + size > MULTI)
				break;
			used += (code >> 8) + size;
			inc = size ? run + 1 : run == 15 ? 16 : 0; /* 0: EOB (libjpeg: any other size-0 run ends the block) */
			entry = used | (before << 4) | (inc << 10);
			if (inc == 0 || before + inc > 63)
				break;
			before += inc;
		}
		d->multi[slot - 4][index] = (uint16_t)entry;
	}
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
	if (slot == 4 || slot == 5)
		fill_multi(d, slot);
	memcpy(d->raw[slot], spec, length);
	d->raw_length[slot] = (uint16_t)length;
	d->built[slot] = 1;
	return length;
}

/* Tops the buffer up to at least 57 bits. -1 when bits past the data were already being decoded. */
static inline int refill(bit_reader *b)
{
	while (b->nbits <= 56) {
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
				const uint16_t *multi;
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
				multi = slot < 6 ? d->multi[slot - 4] : NULL;
				for (k = 1; k < 64;) {
					if (b->nbits < 16 && refill(b))
						return fail(info, DOORBELL_THUMB_TRUNCATED, b->pos, "entropy-coded data ends inside a block");
					if (multi) {
						int m = multi[(b->acc >> (b->nbits - MULTI)) & MULTI_MASK], before = (m >> 4) & 63;
						if (m && k + before < 64) {
							b->nbits -= m & 15;
							k = m >> 10 ? k + before + (m >> 10) : END_OF_BLOCK;
							continue;
						}
					}
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

/* What the markers before the luma scan have said about this JPEG (FrameState in modules/jpeg/marker-segments.ts).
 * Fresh for each JPEG: only the Huffman tables in the decoder stay, as a cache a DHT with the same bytes reuses. */
typedef struct {
	doorbell_thumb_decoder *d;
	const uint8_t *data;
	size_t end;
	doorbell_thumb_info *info;
	uint8_t in_frame[8];  /* slots a DHT of this JPEG, or the standard tables, have set */
	uint8_t quant_set[4]; /* DQT destinations set, and entry 0 (the DC quantizer) of each */
	int quant0[4];
	int comp_id[4], comp_h[4], comp_v[4], comp_tq[4];
	int scan_comp[4]; /* frame component index of each scan component */
	int comps, h_max, v_max, saw_jfif, adobe_transform;
	unsigned width, height, restart_interval;
	scan_plan plan;
} frame_state;

/* One marker segment (T.81 §B.1.1.4): its code, where its marker is, its length and its parameters' span. */
typedef struct {
	int marker;
	size_t at;
	size_t length; /* 0 for a parameterless RSTn or TEM */
	size_t p;      /* the first parameter byte */
	size_t end;    /* just past the segment: the next marker, or a scan's entropy-coded data */
} segment;

/* Reads the marker at pos into seg (T.81 §B.1.1.2: 0xFF then a code, after any number of 0xFF fill bytes).
 * A parameterless RSTn or TEM gets length 0, and is ignored as libjpeg does. */
static int read_segment(const frame_state *s, size_t pos, segment *seg)
{
	const uint8_t *data = s->data;
	size_t end = s->end;
	int marker;

	if (pos >= end)
		return fail(s->info, DOORBELL_THUMB_TRUNCATED, pos, "data ends before the luma scan");
	if (data[pos] != 0xff)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, pos, "expected a marker");
	while (pos + 1 < end && data[pos + 1] == 0xff)
		pos++;
	if (pos + 1 >= end)
		return fail(s->info, DOORBELL_THUMB_TRUNCATED, pos, "data ends inside a marker");
	marker = data[pos + 1];
	seg->marker = marker;
	seg->at = pos;
	if ((marker >= M_RST0 && marker <= M_RST7) || marker == M_TEM) {
		seg->length = 0;
		seg->end = pos + 2;
		return DOORBELL_THUMB_OK;
	}
	if (marker == M_SOI)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, pos, "a second SOI marker");
	if (marker == M_EOI)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, pos, "EOI before any luma scan");
	if (pos + 4 > end)
		return fail(s->info, DOORBELL_THUMB_TRUNCATED, pos, "data ends inside a marker segment length");
	seg->length = ((size_t)data[pos + 2] << 8) | data[pos + 3];
	if (seg->length < 2)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, pos, "marker segment length below 2");
	seg->p = pos + 4;
	seg->end = pos + 2 + seg->length;
	if (seg->end > end)
		return fail(s->info, DOORBELL_THUMB_TRUNCATED, pos, "marker segment runs past the end");
	return DOORBELL_THUMB_OK;
}

/* DQT (§B.2.4.1): Pq/Tq, then 64 entries of 8 or 16 bits in zigzag order; entry 0 is the DC quantizer. */
static int read_dqt(frame_state *s, const segment *seg)
{
	const uint8_t *data = s->data;
	size_t q = seg->p;

	while (q < seg->end) {
		int pq = data[q] >> 4, tq = data[q] & 15;
		size_t size = 64u * (size_t)(pq + 1);
		if (pq > 1 || tq > 3)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "DQT precision or destination out of range");
		if (q + 1 + size > seg->end)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "DQT segment shorter than its tables");
		s->quant0[tq] = pq ? (data[q + 1] << 8) | data[q + 2] : data[q + 1];
		s->quant_set[tq] = 1;
		q += 1 + size;
	}
	return DOORBELL_THUMB_OK;
}

/* DHT (§B.2.4.2): Tc/Th, 16 counts, the values; repeated. */
static int read_dht(frame_state *s, const segment *seg)
{
	const uint8_t *data = s->data;
	size_t q = seg->p;

	while (q < seg->end) {
		int tc = data[q] >> 4, th = data[q] & 15;
		const char *detail = NULL;
		size_t used;
		if (tc > 1 || th > 3)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "DHT class or destination out of range");
		if (q + 17 > seg->end)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "DHT segment shorter than its counts");
		used = load_table(s->d, tc * 4 + th, data + q + 1, seg->end - (q + 1), &detail);
		if (!used)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, q, detail);
		s->in_frame[tc * 4 + th] = 1;
		q += 1 + used;
	}
	return DOORBELL_THUMB_OK;
}

/* DRI (§B.2.4.4): Ri, the MCUs per restart interval (0: no restart markers). */
static int read_dri(frame_state *s, const segment *seg)
{
	if (seg->length != 4)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, seg->at, "DRI segment length is not 4");
	s->restart_interval = ((unsigned)s->data[seg->p] << 8) | s->data[seg->p + 1];
	return DOORBELL_THUMB_OK;
}

/* DQT, DHT, DRI and the APPn/COM/DNL segments, which are skipped once the colour hints are taken: "JFIF\0"
 * (JFIF 1.02 APP0) and "Adobe" (Adobe TN 5116 APP14), the identifiers libjpeg checks. */
static int read_table_or_skip(frame_state *s, const segment *seg)
{
	int marker = seg->marker;
	const uint8_t *params = s->data + seg->p;

	if (marker == M_DQT)
		return read_dqt(s, seg);
	if (marker == M_DHT)
		return read_dht(s, seg);
	if (marker == M_DRI)
		return read_dri(s, seg);
	if (marker == M_APP0) {
		if (seg->length >= 16 && !memcmp(params, "JFIF", 5))
			s->saw_jfif = 1;
	} else if (marker == M_APP14) {
		if (seg->length >= 14 && !memcmp(params, "Adobe", 5))
			s->adobe_transform = params[11];
	} else if (marker == M_DAC) {
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, seg->at, "arithmetic coding (DAC) is not supported");
	} else if (!((marker >= M_APP0 && marker <= M_APP15) || marker == M_COM || marker == M_DNL)) {
		return fail(s->info, DOORBELL_THUMB_CORRUPT, seg->at, "unknown marker");
	}
	return DOORBELL_THUMB_OK;
}

/* SOF0..SOF15 except DHT, JPG and DAC, which share the range (T.81 Table B.1). */
static int is_frame_header(int marker)
{
	return marker >= M_SOF0 && marker <= M_SOF15 && marker != M_DHT && marker != M_DAC && marker != M_JPG;
}

/* One SOF component specification at q (§B.2.2): Ci, Hi/Vi, Tqi. */
static int read_frame_component(frame_state *s, size_t q, int c)
{
	const uint8_t *data = s->data;
	int e;

	s->comp_id[c] = data[q];
	s->comp_h[c] = data[q + 1] >> 4;
	s->comp_v[c] = data[q + 1] & 15;
	s->comp_tq[c] = data[q + 2];
	if (s->comp_h[c] < 1 || s->comp_h[c] > 4 || s->comp_v[c] < 1 || s->comp_v[c] > 4)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "sampling factors out of range");
	if (s->comp_tq[c] > 3)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "quantization table out of range");
	for (e = 0; e < c; e++)
		if (s->comp_id[e] == s->comp_id[c])
			return fail(s->info, DOORBELL_THUMB_CORRUPT, q, "duplicate component id");
	if (s->comp_h[c] > s->h_max)
		s->h_max = s->comp_h[c];
	if (s->comp_v[c] > s->v_max)
		s->v_max = s->comp_v[c];
	return DOORBELL_THUMB_OK;
}

/* SOFn (§B.2.2): P, Y, X, Nf, then a component specification each. Only SOF0 and SOF1 are decoded, and the
 * thumbnail must fit `capacity` cells. */
static int read_frame_header(frame_state *s, const segment *seg, size_t capacity)
{
	const uint8_t *data = s->data;
	int marker = seg->marker, nf, c, status;
	size_t at = seg->at, p = seg->p, length = seg->length;

	if (s->comps)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "a second SOF marker");
	if (marker != M_SOF0 && marker != M_SOF1)
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, at,
			marker == M_SOF2 ? "progressive JPEG (SOF2) is not supported; set the camera to baseline"
			: marker >= M_SOF9 ? "arithmetic-coded JPEG is not supported"
			: "lossless or hierarchical JPEG is not supported");
	if (length < 8)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOF segment too short");
	s->height = ((unsigned)data[p + 1] << 8) | data[p + 2];
	s->width = ((unsigned)data[p + 3] << 8) | data[p + 4];
	nf = data[p + 5];
	if (data[p] != 8)
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, at, "only 8-bit samples are supported");
	if (length != 8 + 3 * (size_t)nf)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOF length does not match its components");
	if (s->width == 0 || s->height == 0)
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, at, "a zero frame size (DNL-defined height) is not supported");
	if (nf != 1 && nf != 3)
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, at, "only grayscale or Y/Cb/Cr JPEG is supported");
	for (c = 0; c < nf; c++) {
		status = read_frame_component(s, p + 6 + 3 * (size_t)c, c);
		if (status != DOORBELL_THUMB_OK)
			return status;
	}
	if (s->comp_h[0] != s->h_max || s->comp_v[0] != s->v_max)
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, at, "luma sampled below the frame's maximum");
	s->comps = nf;
	if ((size_t)ceil_div(s->width, 8) * ceil_div(s->height, 8) > capacity)
		return fail(s->info, DOORBELL_THUMB_TOO_LARGE, at, "the thumbnail does not fit the output buffer");
	return DOORBELL_THUMB_OK;
}

/* libjpeg's colour-space guess for three components (jdapimin.c default_decompress_parms): JFIF means YCbCr;
 * else an Adobe APP14 transform of 0 means RGB; else component ids 'R', 'G', 'B' mean RGB. */
static int is_rgb(const frame_state *s)
{
	if (s->saw_jfif)
		return 0;
	if (s->adobe_transform >= 0)
		return s->adobe_transform == 0;
	return s->comp_id[0] == 'R' && s->comp_id[1] == 'G' && s->comp_id[2] == 'B';
}

/* A scan's table that no DHT of this JPEG set: libjpeg-turbo's standard one (jstdhuff.c), where it has one. */
static int require_table(frame_state *s, int slot, size_t at)
{
	const char *detail = NULL;

	if (s->in_frame[slot])
		return DOORBELL_THUMB_OK;
	if (!STANDARD[slot])
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "scan uses a Huffman table never defined");
	if (!load_table(s->d, slot, STANDARD[slot], STANDARD_LENGTH[slot], &detail))
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, detail);
	s->in_frame[slot] = 1;
	return DOORBELL_THUMB_OK;
}

/* Fills s->plan for the scan whose component selectors are at p (§A.2.2 non-interleaved: one block per MCU;
 * §A.2.3 interleaved). */
static int plan_scan(frame_state *s, size_t p, int ns, size_t at)
{
	scan_plan *plan = &s->plan;
	int j, x, y, status;

	if (ns == 1) {
		plan->mcus_x = (int)ceil_div(s->width, 8);
		plan->mcus_y = (int)ceil_div(s->height, 8);
		plan->luma_per_mcu_x = plan->luma_per_mcu_y = 1;
	} else {
		plan->mcus_x = (int)ceil_div(s->width, 8u * (unsigned)s->h_max);
		plan->mcus_y = (int)ceil_div(s->height, 8u * (unsigned)s->v_max);
		plan->luma_per_mcu_x = s->comp_h[0];
		plan->luma_per_mcu_y = s->comp_v[0];
	}
	plan->blocks = 0;
	for (j = 0; j < ns; j++) {
		int c = s->scan_comp[j], td = s->data[p + 2 + 2 * j] >> 4, ta = s->data[p + 2 + 2 * j] & 15;
		int h = ns == 1 ? 1 : s->comp_h[c], v = ns == 1 ? 1 : s->comp_v[c];
		if (td > 3 || ta > 3)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOS Huffman table out of range");
		status = require_table(s, td, at);
		if (status == DOORBELL_THUMB_OK)
			status = require_table(s, 4 + ta, at);
		if (status != DOORBELL_THUMB_OK)
			return status;
		for (y = 0; y < v; y++) {
			for (x = 0; x < h; x++) {
				if (plan->blocks == MAX_BLOCKS_IN_MCU)
					return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "more than 10 blocks in an MCU");
				plan->dc_slot[plan->blocks] = td;
				plan->ac_slot[plan->blocks] = 4 + ta;
				plan->predictor[plan->blocks] = j;
				plan->luma_x[plan->blocks] = c == 0 ? x : -1;
				plan->luma_y[plan->blocks] = c == 0 ? y : -1;
				plan->blocks++;
			}
		}
	}
	return DOORBELL_THUMB_OK;
}

/* SOS (§B.2.3): Ns, then Csj, Tdj/Taj per component, then Ss, Se, Ah/Al (ignored for sequential, as libjpeg
 * does). Sets *has_luma, with s->plan filled when the scan holds luma; a scan without luma is skipped. */
static int read_sos(frame_state *s, const segment *seg, int *has_luma)
{
	size_t at = seg->at, p = seg->p, length = seg->length;
	int ns, j, k, status;

	*has_luma = 0;
	if (!s->comps)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOS before SOF");
	if (s->comps == 3 && is_rgb(s))
		return fail(s->info, DOORBELL_THUMB_UNSUPPORTED, at, "RGB JPEG (no luma component)");
	ns = length > 2 ? s->data[p] : 0;
	if (ns < 1 || ns > 4 || length != 6 + 2 * (size_t)ns)
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOS component count or length");
	for (j = 0; j < ns; j++) {
		int id = s->data[p + 1 + 2 * j], c = 0;
		while (c < s->comps && s->comp_id[c] != id)
			c++;
		if (c == s->comps)
			return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOS names a component not in the frame");
		for (k = 0; k < j; k++)
			if (s->scan_comp[k] == c)
				return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "SOS names a component twice");
		s->scan_comp[j] = c;
		if (c == 0)
			*has_luma = 1;
	}
	if (!*has_luma)
		return DOORBELL_THUMB_OK;
	if (!s->quant_set[s->comp_tq[0]])
		return fail(s->info, DOORBELL_THUMB_CORRUPT, at, "the luma quantization table was never defined");
	status = plan_scan(s, p, ns, at);
	if (status != DOORBELL_THUMB_OK)
		return status;
	s->plan.restart_interval = s->restart_interval;
	s->plan.q0 = s->quant0[s->comp_tq[0]];
	return DOORBELL_THUMB_OK;
}

/* Skips a scan that holds no luma: *pos moves to the next marker that is not RSTn. */
static int skip_scan(const frame_state *s, size_t *pos)
{
	for (;;) {
		*pos = next_marker(s->data, s->end, *pos);
		if (*pos >= s->end)
			return fail(s->info, DOORBELL_THUMB_TRUNCATED, *pos, "data ends inside a scan");
		if (s->data[*pos + 1] < M_RST0 || s->data[*pos + 1] > M_RST7)
			return DOORBELL_THUMB_OK;
		*pos += 2;
	}
}

/* Decodes the luma scan whose entropy-coded data starts at pos into out, and reports the sizes. */
static int decode_luma_scan(frame_state *s, size_t pos, uint8_t *out)
{
	bit_reader b = { s->data, s->end, pos, 0, 0, 0 };
	int out_w = (int)ceil_div(s->width, 8), out_h = (int)ceil_div(s->height, 8);
	int status = decode_scan(s->d, &b, &s->plan, out, out_w, out_h, s->info);

	if (status != DOORBELL_THUMB_OK)
		return status;
	s->info->width = (uint16_t)out_w;
	s->info->height = (uint16_t)out_h;
	s->info->frame_width = (uint16_t)s->width;
	s->info->frame_height = (uint16_t)s->height;
	return DOORBELL_THUMB_OK;
}

int doorbell_thumb_decode(doorbell_thumb_decoder *d, const uint8_t *data, size_t end, uint8_t *out, size_t capacity,
	doorbell_thumb_info *info)
{
	frame_state s;
	segment seg;
	size_t pos = 2;
	int status;

	memset(info, 0, sizeof *info);
	if (!data || end < 2 || data[0] != 0xff || data[1] != M_SOI)
		return fail(info, DOORBELL_THUMB_NOT_JPEG, 0, "no SOI marker (0xFFD8) at the start");
	memset(&s, 0, sizeof s);
	s.d = d;
	s.data = data;
	s.end = end;
	s.info = info;
	s.h_max = s.v_max = 1;
	s.adobe_transform = -1;
	for (;;) {
		status = read_segment(&s, pos, &seg);
		if (status != DOORBELL_THUMB_OK)
			return status;
		pos = seg.end;
		if (seg.length == 0)
			continue;
		if (seg.marker == M_SOS) {
			int has_luma;
			status = read_sos(&s, &seg, &has_luma);
			if (status != DOORBELL_THUMB_OK)
				return status;
			if (has_luma)
				return decode_luma_scan(&s, pos, out);
			status = skip_scan(&s, &pos);
		} else if (is_frame_header(seg.marker))
			status = read_frame_header(&s, &seg, capacity);
		else
			status = read_table_or_skip(&s, &seg);
		if (status != DOORBELL_THUMB_OK)
			return status;
	}
}
