// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * how a contiguous run of memory becomes the segments a
 * device sees, and the verifier of a concrete segment list.
 *
 * The exporter builds each attachment's scatterlist with cen_split_chunk()
 * over its own device's constraints, so the counts the solver predicts
 * (cen_chunk_segments) are the counts the device gets.
 */
#include "cen_constraints.h"

static u64 cen_rounddown_pow2(u64 v)
{
	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	v |= v >> 32;
	return v - (v >> 1);
}

u64 cen_eff_seg_size(const struct cen_constraints *c)
{
	return cen_rounddown_pow2(c->max_seg_size);
}

/* Boundary window in bytes, 0 for none. */
static u64 cen_window(const struct cen_constraints *c)
{
	return c->seg_boundary_mask == U64_MAX ? 0 : c->seg_boundary_mask + 1;
}

/* Bytes from @addr to the end of its boundary window (U64_MAX: none). */
static u64 cen_room(u64 window, u64 addr)
{
	return window ? window - (addr & (window - 1)) : U64_MAX;
}

static u64 cen_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 cen_align_of(const struct cen_constraints *c,
			unsigned int granule_shift)
{
	u64 g = 1ULL << granule_shift;

	return c->align > g ? c->align : g;
}

u64 cen_inner_seg_max(const struct cen_constraints *c,
		      unsigned int granule_shift)
{
	u64 q = cen_eff_seg_size(c);
	u64 w = cen_window(c);

	if (w && w < q)
		q = w;
	if (q < cen_align_of(c, granule_shift))
		return 0;
	return q;
}

/* ceil(@len / @q) for a power of two @q, without overflow. */
static u64 cen_pieces(u64 len, u64 q)
{
	return cen_div(len, q) + !!(len & (q - 1));
}

/* Is @addr/@len a run cenalloc may split (see the header)? */
static bool cen_run_ok(const struct cen_constraints *c, u64 addr, u64 len,
		       bool last, unsigned int granule_shift)
{
	u64 g = 1ULL << granule_shift;
	u64 a = cen_align_of(c, granule_shift);

	if (!len || (addr & (g - 1)) || (len & (g - 1)) || (addr & (a - 1)))
		return false;
	if (!last && (len & (a - 1)))
		return false;
	return addr <= U64_MAX - (len - 1);
}

u64 cen_chunk_segments(const struct cen_constraints *c, u64 addr, u64 len,
		       bool last, unsigned int granule_shift)
{
	u64 q = cen_inner_seg_max(c, granule_shift);
	u64 w = cen_window(c);
	u64 room;

	if (!cen_run_ok(c, addr, len, last, granule_shift))
		return U64_MAX;
	room = cen_room(w, addr);
	if (!q) {
		/* Only one piece: the whole run, as the buffer's last. */
		if (last && len <= cen_min(cen_eff_seg_size(c), room))
			return 1;
		return U64_MAX;
	}
	/* Windows after the first are tiled exactly by pieces of @q. */
	if (len <= room)
		return cen_pieces(len, q);
	return cen_pieces(room, q) + cen_pieces(len - room, q);
}

int cen_split_chunk(const struct cen_constraints *c, u64 addr, u64 len,
		    bool last, unsigned int granule_shift,
		    int (*emit)(void *ctx, u64 addr, u64 len), void *ctx)
{
	u64 q = cen_inner_seg_max(c, granule_shift);
	u64 w = cen_window(c);
	int ret;

	if (!cen_run_ok(c, addr, len, last, granule_shift))
		return -EINVAL;
	if (!q) {
		if (!last || len > cen_min(cen_eff_seg_size(c),
					   cen_room(w, addr)))
			return -EINVAL;
		return emit(ctx, addr, len);
	}
	while (len) {
		u64 piece = cen_min(cen_min(q, cen_room(w, addr)), len);

		ret = emit(ctx, addr, piece);
		if (ret)
			return ret;
		addr += piece;
		len -= piece;
	}
	return 0;
}

int cen_verify(const struct cen_constraints *c, const struct cen_segment *segs,
	       u32 n, u64 size, struct cen_why *why)
{
	u64 mask = c->seg_boundary_mask;
	u64 max_len = cen_eff_seg_size(c);
	u64 total = 0, end;
	u32 i, j;

	if (n > c->max_segments)
		return cen_why_set(why, CEN_R_SEG_COUNT, CEN_F_MAX_SEGMENTS,
				   CEN_ORIGIN_NONE, n, c->max_segments);
	for (i = 0; i < n; i++) {
		const struct cen_segment *s = &segs[i];

		if (!s->len)
			return cen_why_set(why, CEN_R_SEG_EMPTY, CEN_F_COUNT,
					   i, 0, 0);
		if (!s->addr)
			return cen_why_set(why, CEN_R_SEG_ADDR_ZERO,
					   CEN_F_ADDR_LIMIT, i, 0, 0);
		if (s->addr > U64_MAX - (s->len - 1) ||
		    s->addr + (s->len - 1) > c->addr_limit)
			return cen_why_set(why, CEN_R_SEG_ABOVE_LIMIT,
					   CEN_F_ADDR_LIMIT, i, s->addr,
					   c->addr_limit);
		end = s->addr + (s->len - 1);
		if (s->len > max_len)
			return cen_why_set(why, CEN_R_SEG_TOO_LONG,
					   CEN_F_MAX_SEG_SIZE, i, s->len,
					   max_len);
		if ((s->addr & ~mask) != (end & ~mask))
			return cen_why_set(why, CEN_R_SEG_CROSSES_BOUNDARY,
					   CEN_F_SEG_BOUNDARY, i, s->addr,
					   mask);
		if (s->addr & (c->align - 1))
			return cen_why_set(why, CEN_R_SEG_MISALIGNED,
					   CEN_F_ALIGN, i, s->addr, c->align);
		if (i + 1 < n && (s->len & (c->align - 1)))
			return cen_why_set(why, CEN_R_SEG_LENGTH_UNALIGNED,
					   CEN_F_ALIGN, i, s->len, c->align);
		if (total > U64_MAX - s->len)
			return cen_why_set(why, CEN_R_SEG_TOTAL, CEN_F_COUNT,
					   i, U64_MAX, size);
		total += s->len;
	}
	if (total != size)
		return cen_why_set(why, CEN_R_SEG_TOTAL, CEN_F_COUNT,
				   CEN_ORIGIN_NONE, total, size);
	/* Quadratic, but only tests and debug builds verify. */
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (segs[i].addr <= segs[j].addr + (segs[j].len - 1) &&
			    segs[j].addr <= segs[i].addr + (segs[i].len - 1))
				return cen_why_set(why, CEN_R_SEG_OVERLAP,
						   CEN_F_COUNT, j, segs[j].addr,
						   segs[i].addr);
	cen_why_clear(why);
	return 0;
}
