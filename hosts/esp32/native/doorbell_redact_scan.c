// SPDX-License-Identifier: MIT
// The redactor's hot loop, the C twin of modules/jpeg/redact-scan.ts: entropy-decodes the scan (T.81 §F.2.2) and
// re-encodes it (§F.1.2) with the image's own codes. The bit reader consumes bytes exactly when the TypeScript's does,
// so refusals carry the same offsets; a kept AC code is copied with its extra bits from the input in one write.
#include "doorbell_redact_scan.h"

#include <string.h>

#define LOOK DOORBELL_REDACT_LOOK_BITS
#define LOOK_MASK ((1u << LOOK) - 1)

typedef struct {
	const uint8_t *data;
	size_t end, pos;
	uint32_t acc; /* the low nbits bits are unread, oldest first */
	int nbits;
	int phantom; /* zero bits appended past a marker or the end, which valid data never reaches */
} bit_reader;

/* luma-scan.ts refill: tops the buffer up to more than 24 bits. -1 when bits past the data were already being decoded. */
static inline int refill(bit_reader *b)
{
	if (b->pos + 4 <= b->end) {
		const uint8_t *p = b->data + b->pos;
		uint32_t w = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
		if (!((~w - 0x01010101u) & w & 0x80808080u)) { /* no 0xFF byte: take whole bytes at once */
			int n = (24 - b->nbits) / 8 + 1;
			b->acc = (uint32_t)(((uint64_t)b->acc << (8 * n)) | (w >> (32 - 8 * n)));
			b->nbits += 8 * n;
			b->pos += (size_t)n;
			return 0;
		}
	}
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
static int slow_symbol(const doorbell_redactor *r, int slot, unsigned index, const bit_reader *b)
{
	int len;
	if (r->look[slot][index])
		return r->look[slot][index];
	for (len = LOOK + 1; len <= 16; len++) {
		int32_t code = (int32_t)((b->acc >> (b->nbits - len)) & ((1u << len) - 1));
		if (code <= r->max_code[slot][len] && code >= r->min_code[slot][len])
			return (len << 8) | r->values[slot][r->val_offset[slot][len] + code];
	}
	return -1;
}

/* EXTEND (T.81 Figure F.12). */
static inline int32_t extend(uint32_t v, int s)
{
	return s == 0 ? 0 : v < (1u << (s - 1)) ? (int32_t)v - (int32_t)(1u << s) + 1 : (int32_t)v;
}

#define TRUNCATED(b) redact_fail(info, DOORBELL_REDACT_TRUNCATED, (b).pos, "entropy-coded data ends inside a block")
#define BAD_CODE(b) redact_fail(info, DOORBELL_REDACT_CORRUPT, (b).pos, "bad Huffman code in entropy-coded data")

/* The AC codes of one block (T.81 §F.2.2.2), copied or dropped; re-encoded as libjpeg's encoder would: ZRLs only before a
 * coefficient, EOB unless coefficient 63 is the last one coded (T.81 Figure F.2). Returns 0 or a negative code. */
static inline int ac_codes(const doorbell_redactor *r, int slot, int flat, bit_reader *b, bit_writer *w,
	doorbell_redact_info *info)
{
	const int16_t *fast = r->fast[slot];
	int k = 1, zrl = 0, last = 0;
	while (k < 64) {
		unsigned index;
		int e, rs, size;
		if (b->nbits < 16 && refill(b))
			return TRUNCATED(*b);
		index = (b->acc >> (b->nbits - LOOK)) & LOOK_MASK;
		e = fast[index];
		if (e) { /* the code and its extra bits, at most LOOK bits in all */
			int total = e & 31;
			rs = (e >> 5) & 255;
			size = rs & 15;
			if (!size) {
				b->nbits -= total;
				if (rs != 0xf0)
					break; /* EOB (libjpeg ends the block on any run with size 0 but 15) */
				zrl++;
				k += 16;
				continue;
			}
			k += rs >> 4;
			if (k > 63)
				return redact_fail(info, DOORBELL_REDACT_CORRUPT, b->pos, "AC coefficient past index 63");
			if (!flat) {
				for (; zrl > 0; zrl--)
					put_bits(w, r->ecode[slot][0xf0], r->esize[slot][0xf0]);
				put_bits(w, (b->acc >> (b->nbits - total)) & ((1u << total) - 1), total);
			}
			b->nbits -= total;
			last = k++;
			continue;
		}
		rs = slow_symbol(r, slot, index, b);
		if (rs < 0)
			return BAD_CODE(*b);
		b->nbits -= rs >> 8;
		rs &= 255;
		size = rs & 15;
		if (!size) {
			if (rs != 0xf0)
				break;
			zrl++;
			k += 16;
			continue;
		}
		k += rs >> 4;
		if (k > 63)
			return redact_fail(info, DOORBELL_REDACT_CORRUPT, b->pos, "AC coefficient past index 63");
		if (b->nbits < size && refill(b))
			return TRUNCATED(*b);
		if (!flat) {
			for (; zrl > 0; zrl--)
				put_bits(w, r->ecode[slot][0xf0], r->esize[slot][0xf0]);
			put_bits(w, r->ecode[slot][rs], r->esize[slot][rs]);
			put_bits(w, (b->acc >> (b->nbits - size)) & ((1u << size) - 1), size);
		}
		b->nbits -= size;
		last = k++;
	}
	if (flat || last < 63) {
		if (!r->esize[slot][0])
			return redact_fail(info, DOORBELL_REDACT_MISSING_CODE, b->pos, "EOB: the image's Huffman table has no code for it");
		put_bits(w, r->ecode[slot][0], r->esize[slot][0]);
	}
	return 0;
}

/* The DC difference of one block in (T.81 §F.2.2.1); returns 0 or a negative code. */
static inline int dc_in(const doorbell_redactor *r, int slot, bit_reader *b, int32_t *diff, doorbell_redact_info *info)
{
	unsigned index;
	int entry;
	if (b->nbits < 16 && refill(b))
		return TRUNCATED(*b);
	index = (b->acc >> (b->nbits - LOOK)) & LOOK_MASK;
	entry = r->fast[slot][index];
	if (entry) {
		b->nbits -= entry & 31;
		*diff = (entry - (entry & 31)) / 32; /* exact: the low 5 bits are the bit count */
	} else {
		int code = slow_symbol(r, slot, index, b), size;
		if (code < 0)
			return BAD_CODE(*b);
		b->nbits -= code >> 8;
		size = code & 15;
		*diff = 0;
		if (size) {
			if (b->nbits < size && refill(b))
				return TRUNCATED(*b);
			*diff = extend((b->acc >> (b->nbits - size)) & ((1u << size) - 1), size);
			b->nbits -= size;
		}
	}
	return 0;
}

/* The DC difference out (T.81 §F.1.2.1), against the output's own prediction. */
static inline int dc_out(const doorbell_redactor *r, int slot, int32_t new_diff, bit_writer *w, size_t pos,
	doorbell_redact_info *info)
{
	int64_t mag = new_diff < 0 ? -(int64_t)new_diff : new_diff;
	int cat = 0;
	while (mag >> cat)
		cat++;
	if (cat > 15)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, pos, "DC difference beyond category 15");
	if (!r->esize[slot][cat])
		return redact_fail(info, DOORBELL_REDACT_MISSING_CODE, pos,
			"DC difference category: the image's Huffman table has no code for it");
	put_bits(w, r->ecode[slot][cat], r->esize[slot][cat]);
	if (cat)
		put_bits(w, (uint32_t)(new_diff < 0 ? new_diff - 1 : new_diff) & ((1u << cat) - 1), cat);
	return 0;
}

/* At the end of a restart interval (T.81 §F.2.1.3.1): byte-align, expect RSTm, reset the predictions; the output ends
 * its interval the same way. */
static int restart(bit_reader *b, bit_writer *w, int next_rst, doorbell_redact_info *info)
{
	if (b->nbits < b->phantom)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, b->pos, "entropy-coded data ends inside a restart interval");
	b->pos = next_marker(b->data, b->end, b->pos);
	if (b->pos + 1 >= b->end)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, b->pos, "data ends where a restart marker belongs");
	if (b->data[b->pos + 1] != 0xd0 + next_rst)
		return redact_fail(info, DOORBELL_REDACT_CORRUPT, b->pos, "restart marker out of sequence");
	b->pos += 2;
	b->acc = 0;
	b->nbits = b->phantom = 0;
	pad(w);
	if (w->cap - w->pos < 2 || w->full)
		w->full = 1;
	else {
		w->buf[w->pos++] = 0xff;
		w->buf[w->pos++] = (uint8_t)(0xd0 + next_rst);
	}
	return 0;
}

int doorbell_redact_scan(const doorbell_redactor *r, const redact_plan *plan, const doorbell_redact_job *job, size_t start,
	redact_out *out, size_t *marker_at, uint32_t *mcus_redacted, doorbell_redact_info *info)
{
	bit_reader b = { job->jpeg, job->length, start, 0, 0, 0 };
	bit_writer w = { 0, 0, 0, out->buf, out->pos, out->cap };
	uint32_t pred[4] = { 0, 0, 0, 0 }, opred[4] = { 0, 0, 0, 0 }, redacted = 0;
	unsigned todo = plan->restart_interval;
	int next_rst = 0, mx, my, blk, status;

	for (my = 0; my < plan->mcus_y; my++) {
		for (mx = 0; mx < plan->mcus_x; mx++) {
			int flat = mcu_touched(job, plan, mx, my);
			if (plan->restart_interval) {
				if (todo == 0) {
					if ((status = restart(&b, &w, next_rst, info)) != 0)
						return status;
					next_rst = (next_rst + 1) & 7;
					memset(pred, 0, sizeof pred);
					memset(opred, 0, sizeof opred);
					todo = plan->restart_interval;
				}
				todo--;
			}
			redacted += (uint32_t)flat;
			for (blk = 0; blk < plan->blocks; blk++) {
				int p = plan->predictor[blk];
				int32_t diff, value;
				if ((status = dc_in(r, plan->dc_slot[blk], &b, &diff, info)) != 0)
					return status;
				pred[p] += (uint32_t)diff; /* wraps as redact-scan.ts's `| 0` */
				value = flat ? (plan->luma[blk] ? plan->flat_dc : 0) : (int32_t)pred[p];
				status = dc_out(r, plan->dc_slot[blk], (int32_t)((uint32_t)value - opred[p]), &w, b.pos, info);
				if (status)
					return status;
				opred[p] = (uint32_t)value;
				if ((status = ac_codes(r, plan->ac_slot[blk], flat, &b, &w, info)) != 0)
					return status;
			}
			if (w.full)
				return redact_fail(info, DOORBELL_REDACT_NO_ROOM, b.pos, "the output buffer is too small");
		}
	}
	if (b.nbits < b.phantom)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, b.pos, "entropy-coded data ends before the last MCU");
	b.pos = next_marker(b.data, b.end, b.pos);
	if (b.pos >= b.end)
		return redact_fail(info, DOORBELL_REDACT_TRUNCATED, b.pos, "no marker after the scan");
	pad(&w);
	if (w.full)
		return redact_fail(info, DOORBELL_REDACT_NO_ROOM, b.pos, "the output buffer is too small");
	out->pos = w.pos;
	*marker_at = b.pos;
	*mcus_redacted = redacted;
	return DOORBELL_REDACT_OK;
}
