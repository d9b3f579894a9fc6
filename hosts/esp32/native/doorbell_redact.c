// SPDX-License-Identifier: MIT
// Privacy redaction in the compressed domain, the C twin of modules/jpeg/redact.ts: the marker walk (T.81 Annex B),
// the Huffman tables (Annex C, decoding and EHUFCO/EHUFSI) and the rebuilt image; the scan itself is in
// doorbell_redact_fast.c, and in doorbell_redact_scan.c when the fast one stops. Same refusals as the TypeScript, at
// the same offsets; every read and write is bounds-checked.
#include "doorbell_redact.h"
#include "doorbell_jpeg_tables.h"
#include "doorbell_redact_scan.h"

#include <string.h>

#define LOOK DOORBELL_REDACT_LOOK_BITS

/* What the markers before the scan have said (marker-segments.ts FrameState). */
typedef struct {
	uint8_t in_frame[8], quant_set[4];
	int quant0[4], comp_id[4], comp_h[4], comp_v[4], comp_tq[4], scan_comp[4];
	int comps, h_max, v_max, saw_jfif, adobe_transform;
	unsigned width, height, restart_interval;
} frame_state;

/* One marker segment: its code, where its marker is, its length, its parameters and its end. */
typedef struct {
	int marker;
	size_t at, length, p, end;
} segment;

void doorbell_redact_init(doorbell_redactor *r)
{
	memset(r->built, 0, sizeof r->built);
	memset(r->raw_length, 0, sizeof r->raw_length);
}

const char *doorbell_redact_code(int status)
{
	static const char *const NAMES[] = { "ok", "not-jpeg", "truncated", "corrupt", "unsupported", "too-large",
		"missing-code", "mask-size", "bad-option", "no-room" };
	return status <= 0 && status >= DOORBELL_REDACT_NO_ROOM ? NAMES[-status] : "unknown";
}

/* EXTEND (T.81 Figure F.12). */
static int32_t extend(uint32_t v, int s)
{
	return s == 0 ? 0 : v < (1u << (s - 1)) ? (int32_t)v - (int32_t)(1u << s) + 1 : (int32_t)v;
}

/* The fast entries of one code of length `len` <= LOOK (huffman-tables.ts fillLookup; AC entries keep the symbol). */
static void fill_lookup(doorbell_redactor *r, int slot, int len, int code, int symbol)
{
	int size = symbol & 15, total = len + size, spare = LOOK - len, fill, first = code << spare;
	for (fill = 0; fill < (1 << spare); fill++) {
		int index = first | fill;
		r->look[slot][index] = (uint16_t)((len << 8) | symbol);
		if (total > LOOK)
			continue;
		if (slot < 4)
			r->fast[slot][index] = (int16_t)(extend((uint32_t)((index >> (LOOK - total)) & ((1 << size) - 1)), size) * 32
				+ total);
		else
			r->fast[slot][index] = (int16_t)((symbol << 5) | total);
	}
}

/* The multi-code entries of AC `slot`, from its fast entries (huffman-tables.ts fillMulti, keeping coefficients only). */
static void fill_multi(doorbell_redactor *r, int slot)
{
	const int multi = DOORBELL_REDACT_MULTI_BITS, size = 1 << multi;
	int index;
	for (index = 0; index < size; index++) {
		int used = 0, inc = 0, eob = 0;
		while (inc < 64) {
			int e = r->fast[slot][((index << used) & (size - 1)) >> (multi - LOOK)], bits = e & 31, rs = (e >> 5) & 255;
			if (!e || used + bits > multi || ((rs & 15) == 0 && rs != 0))
				break;
			used += bits;
			if (rs == 0) {
				eob = 1;
				break;
			}
			inc += (rs >> 4) + 1;
		}
		r->multi[slot - 4][index] = (uint16_t)(used | (inc > 127 ? 127 : inc) << 5 | eob << 12);
	}
}

/* Builds slot `slot` from BITS + HUFFVAL at spec[0 .. available) unless it already holds those bytes (Annex C,
 * huffman-tables.ts loadHuffmanTable). Returns the bytes used, or 0 with *detail set. */
static size_t load_table(doorbell_redactor *r, int slot, const uint8_t *spec, size_t available, const char **detail)
{
	size_t count = 0, length, i;
	int len, k = 0;
	int32_t code = 0;

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
	if (r->built[slot] && r->raw_length[slot] == length && !memcmp(r->raw[slot], spec, length))
		return length;
	r->built[slot] = 0;
	for (i = 0; i < count; i++) {
		if (slot < 4 && spec[16 + i] > 15) {
			*detail = "DC Huffman symbol above 15";
			return 0;
		}
		r->values[slot][i] = spec[16 + i];
	}
	memset(r->fast[slot], 0, sizeof r->fast[slot]);
	memset(r->look[slot], 0, sizeof r->look[slot]);
	for (len = 1; len <= 16; len++) {
		int n = spec[len - 1], j;
		/* Annex C: the codes of one length must fit it; the all-ones code is refused, as libjpeg does. */
		if (code + n >= (1 << len)) {
			*detail = "Huffman code lengths overflow";
			return 0;
		}
		r->val_offset[slot][len] = k - code;
		r->min_code[slot][len] = code;
		r->max_code[slot][len] = n ? code + n - 1 : -1;
		for (j = 0; j < n; j++, k++, code++)
			if (len <= LOOK)
				fill_lookup(r, slot, len, (int)code, r->values[slot][k]);
		code <<= 1;
	}
	if (slot >= 4)
		fill_multi(r, slot);
	memcpy(r->raw[slot], spec, length);
	r->raw_length[slot] = (uint16_t)length;
	r->built[slot] = 1;
	return length;
}

/* EHUFCO/EHUFSI of `slot` from the BITS/HUFFVAL it was built from (T.81 §C.2, huffman-encoder.ts): 0 or a symbol
 * listed twice, which libjpeg's encoder refuses too. */
static int build_encoder(doorbell_redactor *r, int slot)
{
	const uint8_t *raw = r->raw[slot];
	int len, i, k = 16;
	uint32_t code = 0;
	memset(r->esize[slot], 0, sizeof r->esize[slot]);
	for (len = 1; len <= 16; len++) {
		for (i = 0; i < raw[len - 1]; i++, k++, code++) {
			int symbol = raw[k];
			if (r->esize[slot][symbol])
				return -1;
			r->ecode[slot][symbol] = (uint16_t)code;
			r->esize[slot][symbol] = (uint8_t)len;
		}
		code <<= 1;
	}
	return 0;
}

/* The luma DC of a flat block: round((grey - 128) * 8 / q0), half away from zero (redact.ts flatLumaDc). */
static int32_t flat_luma_dc(int grey, int q0)
{
	int32_t n = (grey - 128) * 8, m = (2 * (n < 0 ? -n : n) + q0) / (2 * q0), dc = n < 0 ? -m : m;
	return dc < -1024 ? -1024 : dc > 1023 ? 1023 : dc;
}

static unsigned ceil_div(unsigned a, unsigned b)
{
	return (a + b - 1) / b;
}

/* Appends data[from .. to) to the output; 0, or NO_ROOM. */
static int copy(redact_out *out, const uint8_t *data, size_t from, size_t to, doorbell_redact_info *info)
{
	if (to - from > out->cap - out->pos)
		return redact_fail(info, DOORBELL_REDACT_NO_ROOM, from, "the output buffer is too small");
	memcpy(out->buf + out->pos, data + from, to - from);
	out->pos += to - from;
	return 0;
}

/* T.81 §B.1.1.2 (marker-segments.ts readSegment): 1 with `seg` set, 0 for a parameterless RSTn or TEM (ignored, as
 * libjpeg does), or a negative code. */
static int read_segment(const uint8_t *data, size_t end, size_t pos, segment *seg, doorbell_redact_info *info)
{
	if (pos >= end)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, pos, "data ends before the scan");
	if (data[pos] != 0xff)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, pos, "expected a marker");
	while (pos + 1 < end && data[pos + 1] == 0xff)
		pos++;
	if (pos + 1 >= end)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, pos, "data ends inside a marker");
	seg->marker = data[pos + 1];
	seg->at = pos;
	if ((seg->marker >= M_RST0 && seg->marker <= M_RST7) || seg->marker == M_TEM) {
		seg->end = pos + 2;
		return 0;
	}
	if (seg->marker == M_SOI)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, pos, "a second SOI marker");
	if (seg->marker == M_EOI)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, pos, "EOI before any scan");
	if (pos + 4 > end)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, pos, "data ends inside a marker segment length");
	seg->length = ((size_t)data[pos + 2] << 8) | data[pos + 3];
	if (seg->length < 2)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, pos, "marker segment length below 2");
	seg->p = pos + 4;
	seg->end = pos + 2 + seg->length;
	if (seg->end > end)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, pos, "marker segment runs past the end");
	return 1;
}

/* DQT (§B.2.4.1), DHT (§B.2.4.2), DRI, the APP0/APP14 colour hints; other APPn, COM, DNL skipped. 0 or a code. */
static int read_table_or_skip(doorbell_redactor *r, const uint8_t *data, const segment *seg, frame_state *s,
	doorbell_redact_info *info)
{
	size_t q = seg->p;
	int marker = seg->marker;
	if (marker == M_DQT) {
		while (q < seg->end) {
			int pq = data[q] >> 4, tq = data[q] & 15;
			if (pq > 1 || tq > 3)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "DQT precision or destination out of range");
			if (q + 1 + 64u * (size_t)(pq + 1) > seg->end)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "DQT segment shorter than its tables");
			s->quant0[tq] = pq ? (data[q + 1] << 8) | data[q + 2] : data[q + 1];
			s->quant_set[tq] = 1;
			q += 1 + 64u * (size_t)(pq + 1);
		}
	} else if (marker == M_DHT) {
		while (q < seg->end) {
			int tc = data[q] >> 4, th = data[q] & 15;
			const char *detail = NULL;
			size_t used;
			if (tc > 1 || th > 3)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "DHT class or destination out of range");
			if (q + 17 > seg->end)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "DHT segment shorter than its counts");
			used = load_table(r, tc * 4 + th, data + q + 1, seg->end - (q + 1), &detail);
			if (!used)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, detail);
			s->in_frame[tc * 4 + th] = 1;
			q += 1 + used;
		}
	} else if (marker == M_DRI) {
		if (seg->length != 4)
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, seg->at, "DRI segment length is not 4");
		s->restart_interval = ((unsigned)data[q] << 8) | data[q + 1];
	} else if (marker == M_APP0) {
		if (seg->length >= 16 && !memcmp(data + q, "JFIF", 5))
			s->saw_jfif = 1;
	} else if (marker == M_APP14) {
		if (seg->length >= 14 && !memcmp(data + q, "Adobe", 5))
			s->adobe_transform = data[q + 11];
	} else if (marker == M_DAC) {
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, seg->at, "arithmetic coding (DAC) is not supported");
	} else if (!((marker >= M_APP0 && marker <= M_APP15) || marker == M_COM || marker == M_DNL)) {
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, seg->at, "unknown marker");
	}
	return 0;
}

static int is_frame_header(int marker)
{
	return marker >= M_SOF0 && marker <= M_SOF15 && marker != M_DHT && marker != M_DAC && marker != M_JPG;
}

/* SOFn (§B.2.2, marker-segments.ts readFrameHeader): only SOF0 and SOF1. 0 or a negative code. */
static int read_frame_header(const uint8_t *data, const segment *seg, frame_state *s, doorbell_redact_info *info)
{
	size_t p = seg->p, at = seg->at;
	int nf, c;
	if (s->comps)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "a second SOF marker");
	if (seg->marker != M_SOF0 && seg->marker != M_SOF1)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, at,
			seg->marker == M_SOF2 ? "progressive JPEG (SOF2) is not supported; set the camera to baseline"
			: seg->marker >= M_SOF9 ? "arithmetic-coded JPEG is not supported"
			: "lossless or hierarchical JPEG is not supported");
	if (seg->length < 8)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOF segment too short");
	s->height = ((unsigned)data[p + 1] << 8) | data[p + 2];
	s->width = ((unsigned)data[p + 3] << 8) | data[p + 4];
	nf = data[p + 5];
	if (data[p] != 8)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, at, "only 8-bit samples are supported");
	if (seg->length != 8 + 3 * (size_t)nf)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOF length does not match its components");
	if (s->width == 0 || s->height == 0)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, at, "a zero frame size (DNL-defined height) is not supported");
	if (nf != 1 && nf != 3)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, at, "only grayscale or Y/Cb/Cr JPEG is supported");
	for (c = 0; c < nf; c++) {
		size_t q = p + 6 + 3 * (size_t)c;
		int e;
		s->comp_id[c] = data[q];
		s->comp_h[c] = data[q + 1] >> 4;
		s->comp_v[c] = data[q + 1] & 15;
		s->comp_tq[c] = data[q + 2];
		if (s->comp_h[c] < 1 || s->comp_h[c] > 4 || s->comp_v[c] < 1 || s->comp_v[c] > 4)
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "sampling factors out of range");
		if (s->comp_tq[c] > 3)
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "quantization table out of range");
		for (e = 0; e < c; e++)
			if (s->comp_id[e] == s->comp_id[c])
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, q, "duplicate component id");
		if (s->comp_h[c] > s->h_max)
			s->h_max = s->comp_h[c];
		if (s->comp_v[c] > s->v_max)
			s->v_max = s->comp_v[c];
	}
	if (s->comp_h[0] != s->h_max || s->comp_v[0] != s->v_max)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, at, "luma sampled below the frame's maximum");
	s->comps = nf;
	return 0;
}

/* redact.ts checkMask, after the SOF: the size limit, then the mask's size. */
static int check_mask(const doorbell_redact_job *job, const frame_state *s, size_t at, doorbell_redact_info *info)
{
	uint32_t wc = ceil_div(s->width, 8), hc = ceil_div(s->height, 8);
	info->frame_width = (uint16_t)s->width;
	info->frame_height = (uint16_t)s->height;
	if ((uint64_t)wc * hc > job->max_cells)
		return redact_fail(info, DOORBELL_REDACT_TOO_LARGE, at, "the image has more 8x8 cells than the limit");
	if (job->width_cells != wc || job->height_cells != hc || job->cells_length != (size_t)wc * hc || !job->cells)
		return redact_fail(info, DOORBELL_REDACT_MASK_SIZE, 0, "the mask is not ceil(width/8) x ceil(height/8) cells");
	return 0;
}

/* A scan's table that no DHT of this JPEG set: libjpeg-turbo's standard one (jstdhuff.c), where it has one. */
static int require_table(doorbell_redactor *r, int slot, frame_state *s, size_t at, doorbell_redact_info *info)
{
	const char *detail = NULL;
	if (s->in_frame[slot])
		return 0;
	if (!STANDARD[slot])
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "scan uses a Huffman table never defined");
	if (!load_table(r, slot, STANDARD[slot], STANDARD_LENGTH[slot], &detail))
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, detail);
	s->in_frame[slot] = 1;
	return 0;
}

/* The SOS's components (§B.2.3, marker-segments.ts readSos up to the luma check): 1 when the scan holds luma. */
static int read_sos_components(const uint8_t *data, const segment *seg, frame_state *s, doorbell_redact_info *info)
{
	size_t p = seg->p, at = seg->at;
	int ns, j, k, has_luma = 0;
	if (!s->comps)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOS before SOF");
	/* libjpeg's colour-space guess for three components (jdapimin.c default_decompress_parms). */
	if (s->comps == 3 && !s->saw_jfif
		&& (s->adobe_transform >= 0 ? s->adobe_transform == 0
			: (s->comp_id[0] == 'R' && s->comp_id[1] == 'G' && s->comp_id[2] == 'B')))
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, at, "RGB JPEG (no luma component)");
	ns = seg->length > 2 ? data[p] : 0;
	if (ns < 1 || ns > 4 || seg->length != 6 + 2 * (size_t)ns)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOS component count or length");
	for (j = 0; j < ns; j++) {
		int id = data[p + 1 + 2 * j], c = 0;
		while (c < s->comps && s->comp_id[c] != id)
			c++;
		if (c == s->comps)
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOS names a component not in the frame");
		for (k = 0; k < j; k++)
			if (s->scan_comp[k] == c)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOS names a component twice");
		s->scan_comp[j] = c;
		if (c == 0)
			has_luma = 1;
	}
	return has_luma;
}

/* Fills `plan` for the SOS (§A.2.2 non-interleaved, §A.2.3 interleaved, marker-segments.ts planScan); 0 or a code. */
static int plan_scan(doorbell_redactor *r, const uint8_t *data, const segment *seg, frame_state *s, redact_plan *plan,
	doorbell_redact_info *info)
{
	size_t p = seg->p, at = seg->at;
	int ns = data[p], j, status;
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
		int c = s->scan_comp[j], td = data[p + 2 + 2 * j] >> 4, ta = data[p + 2 + 2 * j] & 15, n;
		int blocks = ns == 1 ? 1 : s->comp_h[c] * s->comp_v[c];
		if (td > 3 || ta > 3)
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "SOS Huffman table out of range");
		if ((status = require_table(r, td, s, at, info)) != 0 || (status = require_table(r, 4 + ta, s, at, info)) != 0)
			return status;
		for (n = 0; n < blocks; n++) {
			if (plan->blocks == REDACT_MAX_BLOCKS_IN_MCU)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, at, "more than 10 blocks in an MCU");
			plan->dc_slot[plan->blocks] = td;
			plan->ac_slot[plan->blocks] = 4 + ta;
			plan->predictor[plan->blocks] = j;
			plan->luma[plan->blocks] = c == 0;
			plan->blocks++;
		}
	}
	plan->restart_interval = s->restart_interval;
	return 0;
}

/* (bytes up to the scan) + 2 x (scan bytes) + 2 x ceil(46 x blocks / 8) + 4 x intervals + 2: a kept block's codes
 * grow by at most 30 DC bits and a 16-bit EOB, a flat block's 47 bits replace at least 2; stuffing at most doubles. */
static size_t output_bound(const redact_plan *plan, size_t sos_end, size_t length)
{
	uint64_t mcus = (uint64_t)plan->mcus_x * (uint64_t)plan->mcus_y, blocks = mcus * (uint64_t)plan->blocks;
	uint64_t intervals = plan->restart_interval ? (mcus + plan->restart_interval - 1) / plan->restart_interval : 1;
	uint64_t bound = sos_end + 2 * (uint64_t)(length - sos_end) + 2 * ((46 * blocks + 7) / 8) + 4 * intervals + 2;
	return bound > (uint64_t)SIZE_MAX ? SIZE_MAX : (size_t)bound;
}

/* redact.ts redactTheScan: the SOS, the image's own codes, the scan, then EOI. */
static int redact_the_scan(doorbell_redactor *r, const doorbell_redact_job *job, const segment *seg, frame_state *s,
	redact_out *out, doorbell_redact_info *info)
{
	const uint8_t *data = job->jpeg;
	redact_plan plan;
	size_t marker_at = 0, scan_start;
	int status = read_sos_components(data, seg, s, info), b;
	uint32_t redacted = 0, built = 0;
	if (status < 0)
		return status;
	if (!status)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, seg->at, "a scan without luma (only one scan with all)");
	if (!s->quant_set[s->comp_tq[0]])
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, seg->at, "the luma quantization table was never defined");
	if ((status = plan_scan(r, data, seg, s, &plan, info)) != 0)
		return status;
	if (data[seg->p] != s->comps)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, seg->at, "a scan with only some components (only one scan with all)");
	if (s->quant0[s->comp_tq[0]] == 0)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, seg->at, "luma DC quantizer is 0");
	plan.flat_dc = flat_luma_dc(job->grey, s->quant0[s->comp_tq[0]]);
	info->output_bound = output_bound(&plan, seg->end, job->length);
	if ((status = copy(out, data, seg->at, seg->end, info)) != 0)
		return status;
	for (b = 0; b < plan.blocks; b++) { /* each slot the scan uses, once */
		int dc = plan.dc_slot[b], ac = plan.ac_slot[b];
		if ((!(built & 1u << dc) && build_encoder(r, dc)) || (!(built & 1u << ac) && build_encoder(r, ac)))
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, seg->at, "a Huffman table lists a symbol twice");
		built |= 1u << dc | 1u << ac;
	}
	scan_start = out->pos;
	if (doorbell_redact_scan_fast(r, &plan, job, seg->end, out, &marker_at, &redacted) != DOORBELL_REDACT_OK) {
		out->pos = scan_start; /* the exact scan says why (or, if the fast one was stricter, writes the same bytes) */
		status = doorbell_redact_scan(r, &plan, job, seg->end, out, &marker_at, &redacted, info);
		if (status)
			return status;
	}
	if (data[marker_at + 1] != M_EOI)
		return redact_fail(info, DOORBELL_REDACT_UNSUPPORTED, marker_at, "a marker other than EOI after the scan");
	if (out->cap - out->pos < 2)
		return redact_fail(info, DOORBELL_REDACT_NO_ROOM, marker_at, "the output buffer is too small");
	out->buf[out->pos++] = 0xff;
	out->buf[out->pos++] = M_EOI;
	info->length = out->pos;
	info->mcus_redacted = redacted;
	info->mcus = (uint32_t)plan.mcus_x * (uint32_t)plan.mcus_y;
	return DOORBELL_REDACT_OK;
}

int doorbell_redact(doorbell_redactor *r, const doorbell_redact_job *job, doorbell_redact_info *info)
{
	const uint8_t *data = job->jpeg;
	frame_state s;
	redact_out out = { job->out, job->capacity, 0 };
	size_t pos = 2;
	int status;

	memset(info, 0, sizeof *info);
	if (job->grey < 0 || job->grey > 255)
		return redact_fail(info, DOORBELL_REDACT_BAD_OPTION, 0, "grey: expected a whole number from 0 to 255");
	if (!data || job->length < 2 || data[0] != 0xff || data[1] != M_SOI)
		return redact_fail(info, DOORBELL_REDACT_NOT_JPEG, 0, "no SOI marker (0xFFD8) at the start");
	memset(&s, 0, sizeof s);
	s.h_max = s.v_max = 1;
	s.adobe_transform = -1;
	if (!job->out && job->capacity)
		return redact_fail(info, DOORBELL_REDACT_NO_ROOM, 0, "no output buffer");
	if ((status = copy(&out, data, 0, 2, info)) != 0)
		return status;
	for (;;) {
		segment seg;
		status = read_segment(data, job->length, pos, &seg, info);
		if (status < 0)
			return status;
		pos = seg.end;
		if (!status)
			continue;
		if (seg.marker == M_SOS)
			return redact_the_scan(r, job, &seg, &s, &out, info);
		if (is_frame_header(seg.marker)) {
			if ((status = read_frame_header(data, &seg, &s, info)) != 0 || (status = check_mask(job, &s, seg.at, info)) != 0)
				return status;
		} else if ((status = read_table_or_skip(r, data, &seg, &s, info)) != 0)
			return status;
		else if (seg.marker != M_DQT && seg.marker != M_DHT && seg.marker != M_DRI)
			continue; /* APPn, COM, DNL: dropped */
		if ((status = copy(&out, data, seg.at, seg.end, info)) != 0)
			return status;
	}
}
