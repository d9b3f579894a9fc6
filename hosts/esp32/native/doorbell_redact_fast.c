// SPDX-License-Identifier: MIT
// The redactor's fast scan: a 64-bit bit reader that takes up to 7 bytes at a time, and kept bits copied to the output
// in bulk (at each refill) rather than code by code; only changed DC differences, flat blocks, dropped ZRLs and
// substituted EOBs are written one by one. Any error sends the caller to the exact scan (doorbell_redact_scan.c), which
// mirrors redact-scan.ts's byte consumption and so reports the TypeScript's refusal at the TypeScript's offset.
#include "doorbell_redact_scan.h"

#define LOOK DOORBELL_REDACT_LOOK_BITS
#define LOOK_MASK ((1u << LOOK) - 1)
#define MULTI DOORBELL_REDACT_MULTI_BITS
#define MULTI_MASK ((1u << MULTI) - 1)

typedef struct {
	const uint8_t *data;
	size_t end, pos;
	uint64_t acc; /* the low nbits bits are unread, oldest first */
	int nbits;
	int phantom; /* zero bits appended past a marker or the end: consuming any is an error */
	int mark; /* nbits where the bits not yet copied to the output begin: bits mark-1 .. nbits are to be copied */
} fast_reader;

/* The `count` (<= 32) bits of acc whose highest is bit hi - 1. */
static inline uint32_t bits_at(uint64_t acc, int hi, int count)
{
	return (uint32_t)((acc >> (hi - count)) & ((count == 32 ? 0 : ~0ull << count) ^ ~0ull));
}

/* Copies the bits from the mark down to `to` into the output; the mark moves to `to`. */
static inline void copy_to(fast_reader *b, bit_writer *w, int to)
{
	int count = b->mark - to;
	if (count > 32) {
		put_bits(w, bits_at(b->acc, b->mark, 32), 32);
		count -= 32;
	}
	if (count > 0)
		put_bits(w, bits_at(b->acc, to + count, count), count);
	b->mark = to;
}

/* Eight bytes, big-endian: one load where the compiler knows the byte order (GCC and Clang, on the ESP32 too). */
static inline uint64_t load_be64(const uint8_t *p)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return __builtin_bswap64(v);
#else
	return ((uint64_t)p[0] << 56) | ((uint64_t)p[1] << 48) | ((uint64_t)p[2] << 40) | ((uint64_t)p[3] << 32)
		| ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) | ((uint64_t)p[6] << 8) | p[7];
#endif
}

/* fill's byte by byte way: stuffed zeros, markers and the end (zero bits past them, counted as phantom). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void fill_slow(fast_reader *b)
{
	while (b->nbits <= 56) {
		uint64_t byte = 0;
		if (b->pos < b->end) {
			byte = b->data[b->pos];
			if (byte != 0xff)
				b->pos++;
			else if (b->pos + 1 < b->end && b->data[b->pos + 1] == 0)
				b->pos += 2; /* stuffed zero (T.81 §F.1.2.3) */
			else {
				byte = 0; /* a marker: stay on it */
				b->phantom += 8;
			}
		} else
			b->phantom += 8;
		b->acc = (b->acc << 8) | byte;
		b->nbits += 8;
	}
	b->mark = b->nbits;
}

/* Copies what is pending, then tops the buffer up to more than 56 bits, whole bytes at once when none is 0xFF. */
static inline void fill(fast_reader *b, bit_writer *w)
{
	copy_to(b, w, b->nbits);
	if (b->pos + 8 <= b->end) {
		uint64_t v = load_be64(b->data + b->pos);
		int n = (63 - b->nbits) >> 3;
		uint64_t ff = (~v - 0x0101010101010101ull) & v & 0x8080808080808080ull & (~0ull << (64 - 8 * n));
		if (!ff) { /* no 0xFF among the n bytes (an FE before an FF may look like one: then the slow way) */
			b->acc = (b->acc << (8 * n)) | (v >> (64 - 8 * n));
			b->nbits += 8 * n;
			b->pos += (size_t)n;
			b->mark = b->nbits;
			return;
		}
	}
	fill_slow(b);
}

/* The next code (>= 32 bits buffered): (code length << 8) | symbol, or -1 (T.81 Figure F.16). */
static inline int symbol(const doorbell_redactor *r, int slot, const fast_reader *b)
{
	unsigned index = (unsigned)(b->acc >> (b->nbits - LOOK)) & LOOK_MASK;
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

/* Writes a DC difference with the image's code (T.81 §F.1.2.1); -1 beyond category 15 or without a code. */
static inline int put_dc(const doorbell_redactor *r, int slot, int32_t diff, bit_writer *w)
{
	int64_t mag = diff < 0 ? -(int64_t)diff : diff;
	int cat = 0;
	while (mag >> cat)
		cat++;
	if (cat > 15 || !r->esize[slot][cat])
		return -1;
	put_bits(w, r->ecode[slot][cat], r->esize[slot][cat]);
	if (cat)
		put_bits(w, (uint32_t)(diff < 0 ? diff - 1 : diff) & ((1u << cat) - 1), cat);
	return 0;
}

/* Decodes one DC difference (T.81 §F.2.2.1); -1 for a bad code. */
static inline int get_dc(const doorbell_redactor *r, int slot, fast_reader *b, int32_t *diff)
{
	int entry = r->fast[slot][(b->acc >> (b->nbits - LOOK)) & LOOK_MASK];
	if (entry) {
		b->nbits -= entry & 31;
		*diff = (entry - (entry & 31)) / 32;
	} else {
		int code = symbol(r, slot, b), size;
		if (code < 0)
			return -1;
		b->nbits -= code >> 8;
		size = code & 15;
		*diff = size ? extend((uint32_t)(b->acc >> (b->nbits - size)) & ((1u << size) - 1), size) : 0;
		b->nbits -= size;
	}
	return 0;
}

/* The AC codes of a kept block (T.81 §F.2.2.2): left in the copy stream, except ZRLs (written again only before a
 * coefficient) and size-0 runs other than EOB (written as EOB), as redact-scan.ts re-encodes them. 0 or -1. */
static inline int kept_ac(const doorbell_redactor *r, int slot, fast_reader *b, bit_writer *w)
{
	const int16_t *fast = r->fast[slot];
	const uint16_t *multi = r->multi[slot - 4];
	int k = 1, zrl = 0;
	while (k < 64) {
		int e, rs, total;
		if (b->nbits < 32)
			fill(b, w);
		if (!zrl) { /* whole coefficient codes at once, while k stays in range (and below 64 before an EOB) */
			int m = multi[(b->acc >> (b->nbits - MULTI)) & MULTI_MASK], next = k + ((m >> 5) & 127);
			if (m && next <= 64 - (m >> 12)) {
				b->nbits -= m & 31;
				if (m >> 12)
					return 0; /* ends with an EOB, which stays in the copy stream */
				k = next;
				continue;
			}
		}
		e = fast[(b->acc >> (b->nbits - LOOK)) & LOOK_MASK];
		if (e) {
			total = e & 31;
			rs = (e >> 5) & 255;
		} else {
			rs = symbol(r, slot, b);
			if (rs < 0)
				return -1;
			total = (rs >> 8) + (rs & 15);
			rs &= 255;
		}
		if (rs & 15) {
			k += (rs >> 4) + 1;
			if (k > 64)
				return -1;
			for (; zrl > 0; zrl--)
				put_bits(w, r->ecode[slot][0xf0], r->esize[slot][0xf0]);
			b->nbits -= total;
			continue;
		}
		copy_to(b, w, b->nbits); /* what came before this code */
		b->nbits -= total;
		if (rs == 0xf0) {
			b->mark = b->nbits; /* owed, not copied */
			zrl++;
			k += 16;
			continue;
		}
		if (rs != 0) { /* a run with size 0 that ends the block: EOB */
			b->mark = b->nbits;
			if (!r->esize[slot][0])
				return -1;
			put_bits(w, r->ecode[slot][0], r->esize[slot][0]);
		}
		return 0; /* an EOB stays in the copy stream */
	}
	if (zrl) { /* the ZRLs ran past coefficient 63: EOB (the last coefficient was before 63) */
		if (!r->esize[slot][0])
			return -1;
		put_bits(w, r->ecode[slot][0], r->esize[slot][0]);
	}
	return 0;
}

/* The AC codes of a flat block, decoded and dropped. 0 or -1. */
static inline int flat_ac(const doorbell_redactor *r, int slot, fast_reader *b, bit_writer *w)
{
	const int16_t *fast = r->fast[slot];
	const uint16_t *multi = r->multi[slot - 4];
	int k = 1;
	while (k < 64) {
		int e, rs, total, m, next;
		if (b->nbits < 32) {
			b->mark = b->nbits; /* nothing to copy */
			fill(b, w);
		}
		m = multi[(b->acc >> (b->nbits - MULTI)) & MULTI_MASK];
		next = k + ((m >> 5) & 127);
		if (m && next <= 64 - (m >> 12)) {
			b->nbits -= m & 31;
			if (m >> 12)
				break;
			k = next;
			continue;
		}
		e = fast[(b->acc >> (b->nbits - LOOK)) & LOOK_MASK];
		if (e) {
			total = e & 31;
			rs = (e >> 5) & 255;
		} else {
			rs = symbol(r, slot, b);
			if (rs < 0)
				return -1;
			total = (rs >> 8) + (rs & 15);
			rs &= 255;
		}
		b->nbits -= total;
		if (rs & 15) {
			k += (rs >> 4) + 1;
			if (k > 64)
				return -1;
		} else if (rs == 0xf0)
			k += 16;
		else
			break;
	}
	b->mark = b->nbits;
	return 0;
}

/* One block; pred and opred are the input's and the output's DC predictions of its component. 0 or -1. */
static inline int block(const doorbell_redactor *r, const redact_plan *plan, int blk, int flat, fast_reader *b,
	bit_writer *w, uint32_t *pred, uint32_t *opred)
{
	int dc_slot = plan->dc_slot[blk], start;
	int32_t diff, value, new_diff;
	if (b->nbits < 32)
		fill(b, w);
	start = b->nbits;
	if (get_dc(r, dc_slot, b, &diff))
		return -1;
	*pred += (uint32_t)diff;
	value = flat ? (plan->luma[blk] ? plan->flat_dc : 0) : (int32_t)*pred;
	new_diff = (int32_t)((uint32_t)value - *opred);
	*opred = (uint32_t)value;
	if (flat || new_diff != diff) {
		copy_to(b, w, start);
		if (put_dc(r, dc_slot, new_diff, w))
			return -1;
		b->mark = b->nbits;
	}
	if (!flat)
		return kept_ac(r, plan->ac_slot[blk], b, w);
	if (flat_ac(r, plan->ac_slot[blk], b, w) || !r->esize[plan->ac_slot[blk]][0])
		return -1;
	put_bits(w, r->ecode[plan->ac_slot[blk]][0], r->esize[plan->ac_slot[blk]][0]);
	return 0;
}

/* The end of an interval or of the scan: no phantom bits consumed, the kept bits copied, the input's padding dropped. */
static inline int interval_end(fast_reader *b, bit_writer *w)
{
	if (b->nbits < b->phantom)
		return -1;
	copy_to(b, w, b->nbits);
	b->pos = next_marker(b->data, b->end, b->pos);
	pad(w);
	return 0;
}

int doorbell_redact_scan_fast(const doorbell_redactor *r, const redact_plan *plan, const doorbell_redact_job *job,
	size_t start, redact_out *out, size_t *marker_at, uint32_t *mcus_redacted)
{
	fast_reader b = { job->jpeg, job->length, start, 0, 0, 0, 0 };
	bit_writer w = { 0, 0, 0, out->buf, out->pos, out->cap };
	uint32_t pred[4] = { 0, 0, 0, 0 }, opred[4] = { 0, 0, 0, 0 }, redacted = 0;
	unsigned todo = plan->restart_interval;
	int next_rst = 0, mx, my, blk;

	for (my = 0; my < plan->mcus_y; my++) {
		for (mx = 0; mx < plan->mcus_x; mx++) {
			int flat = mcu_touched(job, plan, mx, my);
			if (plan->restart_interval) {
				if (todo == 0) { /* T.81 §F.2.1.3.1 */
					if (interval_end(&b, &w) || b.pos + 1 >= b.end || b.data[b.pos + 1] != 0xd0 + next_rst || w.cap - w.pos < 2)
						return -1;
					w.buf[w.pos++] = 0xff;
					w.buf[w.pos++] = (uint8_t)(0xd0 + next_rst);
					b.pos += 2;
					b.acc = 0;
					b.nbits = b.phantom = b.mark = 0;
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
				if (block(r, plan, blk, flat, &b, &w, &pred[p], &opred[p]))
					return -1;
			}
			if (w.full)
				return -1;
		}
	}
	if (interval_end(&b, &w) || b.pos >= b.end || w.full)
		return -1;
	out->pos = w.pos;
	*marker_at = b.pos;
	*mcus_redacted = redacted;
	return DOORBELL_REDACT_OK;
}
