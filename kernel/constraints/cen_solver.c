// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * pick the backends that can back a buffer, best first.
 *
 * Every estimate is a worst case: a scatter backend may hand out nothing
 * larger than its minimum chunk, and a contiguous chunk may land at the
 * least favourable address its alignment allows.  A plan the solver
 * accepts therefore works wherever the memory actually comes from.
 */
#include "cen_solver.h"

static u64 cen_min(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 cen_max(u64 a, u64 b)
{
	return a > b ? a : b;
}

/* Round up to a power of two @p; U64_MAX when it does not fit. */
static u64 cen_align_up(u64 v, u64 p)
{
	if (v > U64_MAX - (p - 1))
		return U64_MAX;
	return (v + p - 1) & ~(p - 1);
}

/* Lowest usable address of @b aligned to @al (address 0 is never used). */
static u64 cen_base(const struct cen_backend_desc *b, u64 al)
{
	return cen_align_up(cen_max(b->addr_lo, 1), al);
}

/* Worst-case segments when every chunk is @ch bytes and the tail is last. */
static u64 cen_scatter_segments(const struct cen_constraints *c, u64 size,
				u64 ch, unsigned int gs)
{
	u64 k = cen_div(size, ch) + !!(size & (ch - 1));
	u64 tail = size - (k - 1) * ch;
	u64 full = 0, last;

	if (k > 1) {
		full = cen_chunk_segments(c, ch, ch, false, gs);
		if (full == U64_MAX)
			return U64_MAX;
	}
	/* The tail chunk is allocated at its own order, naturally aligned. */
	last = cen_chunk_segments(c, ch, tail, true, gs);
	if (last == U64_MAX || (k > 1 && full > (U64_MAX - last) / (k - 1)))
		return U64_MAX;
	return (k - 1) * full + last;
}

/* Address of the single chunk of a contiguous plan, worst case. */
static u64 cen_contig_addr(const struct cen_constraints *c,
			   const struct cen_backend_desc *b, u64 al)
{
	u64 w = c->seg_boundary_mask == U64_MAX ? 0 : c->seg_boundary_mask + 1;
	u64 base = cen_base(b, al), off, target;

	if (base == U64_MAX || !w || al >= w ||
	    (b->addr_lo & ~c->seg_boundary_mask) ==
	    (b->addr_hi & ~c->seg_boundary_mask))
		return base;
	/* Alignment below the window: assume the chunk straddles one. */
	off = base & (w - 1);
	target = w - al;
	if (off > target)
		return base > U64_MAX - w ? U64_MAX : base - off + target + w;
	return base - off + target;
}

/*
 * Worst-case segments over all members with chunks of @ch, or U64_MAX when
 * a member would get more than it takes.  @first is the first member not
 * yet known to be served: a member served with some chunk size is served
 * with every larger one, so the search over chunk sizes stays linear.
 */
static u64 cen_members_scatter(const struct cen_constraints *m, u32 nm,
			       u64 size, u64 ch, unsigned int gs, u32 *first)
{
	u64 n, worst = 0;
	u32 i;

	for (i = *first; i < nm; i++) {
		n = cen_scatter_segments(&m[i], size, ch, gs);
		if (n > m[i].max_segments) {
			*first = i;
			return U64_MAX;
		}
	}
	*first = nm;
	/* All served: report the largest count. */
	for (i = 0; i < nm; i++) {
		n = cen_scatter_segments(&m[i], size, ch, gs);
		if (n > worst)
			worst = n;
	}
	return worst;
}

static bool cen_solve_scatter(const struct cen_constraints *m, u32 nm,
			      const struct cen_constraints *c, u64 size,
			      unsigned int gs, const struct cen_backend_desc *b,
			      u64 limit, struct cen_plan *p, struct cen_why *why)
{
	u64 a = cen_max(c->align, 1ULL << gs);
	u64 ch, n = U64_MAX, base;
	u32 first = 0;

	/*
	 * A single chunk holding the whole buffer is a contiguous
	 * allocation: that is the contiguous backends' job, not this one's.
	 */
	for (ch = a; ch && ch <= b->max_chunk && ch <= b->max_align &&
	     (ch < size || ch == a); ch <<= 1) {
		n = cen_members_scatter(m, nm, size, ch, gs, &first);
		if (n != U64_MAX)
			break;
	}
	if (n == U64_MAX) {
		cen_why_set(why, CEN_R_BACKEND_SEGMENTS, CEN_F_MAX_SEGMENTS,
			    p->backend, cen_scatter_segments(&m[first], size,
			    a, gs),
			    m[first].max_segments);
		return false;
	}
	base = cen_base(b, ch);
	if (base == U64_MAX || base > limit || limit - base < size - 1) {
		cen_why_set(why, CEN_R_ADDR_RANGE, CEN_F_ADDR_LIMIT, p->backend,
			    base, limit);
		return false;
	}
	p->chunk = ch;
	p->align = ch;
	p->max_segments = n;
	p->worst_addr = base;
	return true;
}

static bool cen_solve_contig(const struct cen_constraints *m, u32 nm,
			     const struct cen_constraints *c, u64 size,
			     unsigned int gs, const struct cen_backend_desc *b,
			     u64 limit, struct cen_plan *p, struct cen_why *why)
{
	u64 a = cen_max(c->align, 1ULL << gs);
	u64 al, al_size, addr, at, q, n, worst = 0;
	bool capped;
	u32 i;

	/*
	 * Aligned to every member's piece size (or to the buffer's size
	 * rounded up, when that is smaller), the pieces of each member tile
	 * its windows and its count is the same wherever the chunk lands.
	 * Only when the backend cannot align that much does the place
	 * matter: then count each member where it is worst for it.
	 */
	al_size = cen_roundup_pow2(size);
	if (!al_size)
		al_size = U64_MAX;
	al = a;
	for (i = 0; i < nm; i++) {
		q = cen_inner_seg_max(&m[i], gs);
		al = cen_max(al, q ? cen_min(al_size, q) : al_size);
	}
	capped = al > b->max_align;
	if (capped)
		al = b->max_align;
	addr = cen_base(b, al);
	if (addr == U64_MAX || addr > limit || limit - addr < size - 1) {
		cen_why_set(why, CEN_R_ADDR_RANGE, CEN_F_ADDR_LIMIT, p->backend,
			    addr, limit);
		return false;
	}
	p->worst_addr = addr;
	for (i = 0; i < nm; i++) {
		at = capped ? cen_contig_addr(&m[i], b, al) : addr;
		n = cen_chunk_segments(&m[i], at, size, true, gs);
		if (n > worst && at <= limit && limit - at >= size - 1)
			p->worst_addr = at;
		if (n > m[i].max_segments) {
			cen_why_set(why, CEN_R_BACKEND_SEGMENTS,
				    CEN_F_MAX_SEGMENTS, p->backend, n,
				    m[i].max_segments);
			return false;
		}
		if (n > worst)
			worst = n;
	}
	p->chunk = size;
	p->align = al;
	p->max_segments = worst;
	return true;
}

static bool cen_solve_one(const struct cen_constraints *m, u32 nm,
			  const struct cen_constraints *c, u64 size,
			  unsigned int gs, const struct cen_backend_desc *b,
			  struct cen_plan *p, struct cen_why *why)
{
	u64 a = cen_max(c->align, 1ULL << gs);
	u64 limit = cen_min(c->addr_limit, b->addr_hi);

	if (c->coherency != CEN_COH_ANY &&
	    !(b->coherency_mask & (1U << c->coherency))) {
		cen_why_set(why, CEN_R_BACKEND_COHERENCY, CEN_F_COHERENCY,
			    p->backend, c->coherency, b->coherency_mask);
		return false;
	}
	/* Too small is too small, whatever the addresses say. */
	if (b->kind == CEN_BK_CONTIG && size > b->max_chunk) {
		cen_why_set(why, CEN_R_CHUNK_TOO_SMALL, CEN_F_MAX_SEGMENTS,
			    p->backend, size, b->max_chunk);
		return false;
	}
	if (c->addr_limit < b->lowest_limit || b->addr_lo > limit ||
	    limit - b->addr_lo < size - 1) {
		cen_why_set(why, CEN_R_ADDR_RANGE, CEN_F_ADDR_LIMIT, p->backend,
			    cen_max(b->lowest_limit, b->addr_lo), c->addr_limit);
		return false;
	}
	if (b->free_bytes < size) {
		cen_why_set(why, CEN_R_NO_SPACE, CEN_F_COUNT, p->backend,
			    size, b->free_bytes);
		return false;
	}
	if (a > b->max_align || !cen_is_pow2(b->max_align)) {
		cen_why_set(why, CEN_R_BACKEND_ALIGN, CEN_F_ALIGN, p->backend,
			    a, b->max_align);
		return false;
	}
	p->addr_limit = limit;
	p->prefer_limit = limit;
	if (b->kind == CEN_BK_SCATTER)
		return cen_solve_scatter(m, nm, c, size, gs, b, limit, p, why);
	return cen_solve_contig(m, nm, c, size, gs, b, limit, p, why);
}

static bool cen_plan_before(const struct cen_plan *x, const struct cen_plan *y,
			    const struct cen_backend_desc *backends)
{
	u32 rx = backends[x->backend].cost_rank;
	u32 ry = backends[y->backend].cost_rank;

	return rx < ry || (rx == ry && x->backend < y->backend);
}

int cen_solve(const struct cen_constraints *c, u64 size,
	      unsigned int granule_shift,
	      const struct cen_backend_desc *backends, u32 n,
	      struct cen_solution *sol)
{
	return cen_solve_members(c, 1, size, granule_shift, backends, n, sol);
}

int cen_solve_members(const struct cen_constraints *members, u32 n_members,
		      u64 size, unsigned int granule_shift,
		      const struct cen_backend_desc *backends, u32 n,
		      struct cen_solution *sol)
{
	u64 g = 1ULL << granule_shift;
	struct cen_constraints merged;
	bool scatter_page = false;
	u32 i, j, kept;
	u64 a;
	int ret;

	memset(sol, 0, sizeof(*sol));
	ret = cen_merge_all(members, n_members, size, granule_shift, &merged,
			    &sol->why);
	if (ret) {
		for (i = 0; i < n && i < CEN_MAX_BACKENDS; i++)
			sol->rejected[i] = sol->why;
		return ret;
	}
	a = cen_max(merged.align, g);
	sol->size = cen_align_up(size, g);
	if (n > CEN_MAX_BACKENDS)
		n = CEN_MAX_BACKENDS;

	for (i = 0; i < n; i++) {
		struct cen_plan p = { .backend = i };

		if (!cen_solve_one(members, n_members, &merged, sol->size,
				   granule_shift, &backends[i], &p,
				   &sol->rejected[i]))
			continue;
		if (backends[i].kind == CEN_BK_SCATTER && p.chunk == a)
			scatter_page = true;
		/* Insertion keeps the list ordered by cost rank. */
		for (j = sol->n_plans; j > 0 &&
		     cen_plan_before(&p, &sol->plans[j - 1], backends); j--)
			sol->plans[j] = sol->plans[j - 1];
		sol->plans[j] = p;
		sol->n_plans++;
	}

	/* Scarce contiguous memory only where it is needed. */
	if (scatter_page) {
		for (i = 0, kept = 0; i < sol->n_plans; i++) {
			struct cen_plan *p = &sol->plans[i];

			if (backends[p->backend].kind != CEN_BK_SCATTER) {
				cen_why_set(&sol->rejected[p->backend],
					    CEN_R_NOT_NEEDED, CEN_F_MAX_SEGMENTS,
					    p->backend, p->max_segments,
					    merged.max_segments);
				continue;
			}
			sol->plans[kept++] = *p;
		}
		sol->n_plans = kept;
	}

	if (!sol->n_plans) {
		cen_why_set(&sol->why, CEN_R_NO_BACKEND, CEN_F_COUNT,
			    CEN_ORIGIN_NONE, n, 0);
		return -ENOSPC;
	}
	return 0;
}

u32 cen_solution_anticipate(struct cen_solution *sol,
			    const struct cen_backend_desc *backends, u32 n,
			    u64 limit)
{
	u32 i, lowered = 0;

	for (i = 0; i < sol->n_plans; i++) {
		struct cen_plan *p = &sol->plans[i];
		const struct cen_backend_desc *b;
		u64 base;

		if (p->backend >= n || !limit || limit >= p->addr_limit)
			continue;
		b = &backends[p->backend];
		base = cen_base(b, p->align);
		if (b->kind != CEN_BK_CONTIG || b->lowest_limit > limit ||
		    base > limit || limit - base < sol->size - 1)
			continue;
		p->prefer_limit = limit;
		lowered++;
	}
	return lowered;
}

u64 cen_plan_synthetic_chunks(const struct cen_plan *p,
			      const struct cen_backend_desc *b, u64 size,
			      struct cen_segment *chunks, u64 max)
{
	u64 k, i, base, tail;

	if (!size)
		return 0;

	if (b->kind != CEN_BK_SCATTER) {
		if (max) {
			chunks[0].addr = p->worst_addr;
			chunks[0].len = size;
		}
		return 1;
	}
	k = cen_div(size, p->chunk) + !!(size & (p->chunk - 1));
	tail = size - (k - 1) * p->chunk;
	base = p->worst_addr;
	/* Full chunks in falling address order so none of them merge. */
	for (i = 0; i + 1 < k && i < max; i++) {
		chunks[i].addr = base + (k - 2 - i) * p->chunk;
		chunks[i].len = p->chunk;
	}
	if (k - 1 < max) {
		chunks[k - 1].addr = base + (k - 1) * p->chunk;
		chunks[k - 1].len = tail;
	}
	return k;
}
