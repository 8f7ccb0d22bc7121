// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * constraint model, resolution from sources, merge and
 * the feasibility check.
 */
#include "cen_constraints.h"

void cen_constraints_init(struct cen_constraints *c)
{
	int f;

	memset(c, 0, sizeof(*c));
	c->addr_limit = U64_MAX;
	c->max_seg_size = U64_MAX;
	c->seg_boundary_mask = U64_MAX;
	c->align = 1;
	c->max_segments = U32_MAX;
	/* The empty set: "all members are behind an IOMMU" holds vacuously. */
	c->iommu = 1;
	c->coherency = CEN_COH_ANY;
	for (f = 0; f < CEN_F_COUNT; f++) {
		c->src[f] = CEN_SRC_NONE;
		c->origin[f] = CEN_ORIGIN_NONE;
	}
}

CEN_EXPORT(cen_constraints_init);

void cen_constraints_set(struct cen_constraints *c, enum cen_field f,
			 u64 value, enum cen_source src)
{
	switch (f) {
	case CEN_F_ADDR_LIMIT:
		c->addr_limit = value;
		break;
	case CEN_F_MAX_SEGMENTS:
		c->max_segments = value > U32_MAX ? U32_MAX : (u32)value;
		break;
	case CEN_F_MAX_SEG_SIZE:
		c->max_seg_size = value;
		break;
	case CEN_F_SEG_BOUNDARY:
		c->seg_boundary_mask = value;
		break;
	case CEN_F_ALIGN:
		c->align = value;
		break;
	case CEN_F_IOMMU:
		c->iommu = !!value;
		break;
	case CEN_F_COHERENCY:
		c->coherency = value < CEN_COH_COUNT ? (u8)value : CEN_COH_COUNT;
		break;
	default:
		return;
	}
	c->src[f] = src;
}

CEN_EXPORT(cen_constraints_set);

u64 cen_constraints_get(const struct cen_constraints *c, enum cen_field f)
{
	switch (f) {
	case CEN_F_ADDR_LIMIT:
		return c->addr_limit;
	case CEN_F_MAX_SEGMENTS:
		return c->max_segments;
	case CEN_F_MAX_SEG_SIZE:
		return c->max_seg_size;
	case CEN_F_SEG_BOUNDARY:
		return c->seg_boundary_mask;
	case CEN_F_ALIGN:
		return c->align;
	case CEN_F_IOMMU:
		return c->iommu;
	case CEN_F_COHERENCY:
		return c->coherency;
	default:
		return 0;
	}
}

int cen_why_set(struct cen_why *why, u32 code, u32 field, u32 member,
		u64 value, u64 limit)
{
	if (why) {
		why->code = code;
		why->field = field;
		why->member = member;
		why->value = value;
		why->limit = limit;
	}
	return -EINVAL;
}

void cen_why_clear(struct cen_why *why)
{
	if (why) {
		memset(why, 0, sizeof(*why));
		why->field = CEN_F_COUNT;
		why->member = CEN_ORIGIN_NONE;
	}
}

int cen_constraints_validate(const struct cen_constraints *c,
			     struct cen_why *why)
{
	u64 m = c->seg_boundary_mask;

	if (!cen_is_pow2(c->align))
		return cen_why_set(why, CEN_R_BAD_ALIGN, CEN_F_ALIGN,
				c->origin[CEN_F_ALIGN], c->align, 0);
	/* 2^k - 1, including U64_MAX (no boundary) and 0 (1-byte window). */
	if (m & (m + 1))
		return cen_why_set(why, CEN_R_BAD_BOUNDARY, CEN_F_SEG_BOUNDARY,
				c->origin[CEN_F_SEG_BOUNDARY], m, 0);
	if (!c->max_segments)
		return cen_why_set(why, CEN_R_ZERO_SEGMENTS, CEN_F_MAX_SEGMENTS,
				c->origin[CEN_F_MAX_SEGMENTS], 0, 0);
	/* A conflict is only ever produced by merging, never given. */
	if (c->coherency >= CEN_COH_CONFLICT || c->iommu > 1)
		return cen_why_set(why, CEN_R_BAD_COHERENCY, CEN_F_COHERENCY,
				c->origin[CEN_F_COHERENCY], c->coherency, 0);
	cen_why_clear(why);
	return 0;
}

void cen_constraints_overlay(struct cen_constraints *dst,
			     const struct cen_constraints *layer)
{
	int f;

	if (!layer)
		return;
	for (f = 0; f < CEN_F_COUNT; f++) {
		if (layer->src[f] == CEN_SRC_NONE)
			continue;
		cen_constraints_set(dst, f, cen_constraints_get(layer, f),
				    layer->src[f]);
		dst->origin[f] = layer->origin[f];
	}
}

void cen_constraints_from_caps(const struct cen_dev_caps *caps,
			       struct cen_constraints *layer)
{
	u64 limit;

	cen_constraints_init(layer);
	if (caps->iommu) {
		/*
		 * The IOMMU gives the device a contiguous IOVA range below its
		 * limit over any pages; segment size and boundary are honoured
		 * by the DMA layer when it builds the IOVA mapping.
		 */
		cen_constraints_set(layer, CEN_F_IOMMU, 1, CEN_SRC_DEVICE);
		cen_constraints_set(layer, CEN_F_MAX_SEGMENTS, U32_MAX,
				    CEN_SRC_DEVICE);
		return;
	}
	cen_constraints_set(layer, CEN_F_IOMMU, 0, CEN_SRC_DEVICE);
	/* No mask set: the kernel's default for a device is 32 bits. */
	limit = caps->dma_mask ? caps->dma_mask : U32_MAX;
	if (caps->bus_dma_limit && caps->bus_dma_limit < limit)
		limit = caps->bus_dma_limit;
	cen_constraints_set(layer, CEN_F_ADDR_LIMIT, limit, CEN_SRC_DEVICE);
	if (caps->max_seg_size)
		cen_constraints_set(layer, CEN_F_MAX_SEG_SIZE,
				    caps->max_seg_size, CEN_SRC_DEVICE);
	if (caps->seg_boundary_mask)
		cen_constraints_set(layer, CEN_F_SEG_BOUNDARY,
				    caps->seg_boundary_mask, CEN_SRC_DEVICE);
}

void cen_resolve(const struct cen_constraints *device,
		 const struct cen_constraints *profile,
		 const struct cen_constraints *driver,
		 bool relax_default, struct cen_constraints *out)
{
	cen_constraints_init(out);
	cen_constraints_overlay(out, device);
	cen_constraints_overlay(out, profile);
	cen_constraints_overlay(out, driver);

	/*
	 * Safe default: contiguous memory works for every device, scattered
	 * memory breaks a contiguous-only one.  Only an IOMMU or somebody
	 * who knows the device (its driver, a profile) can say it scatters.
	 */
	if (out->src[CEN_F_MAX_SEGMENTS] < CEN_SRC_PROFILE &&
	    !(out->src[CEN_F_IOMMU] != CEN_SRC_NONE && out->iommu) &&
	    !relax_default)
		cen_constraints_set(out, CEN_F_MAX_SEGMENTS, 1, CEN_SRC_DEFAULT);
}

/*
 * Merge one field.  @cmp < 0 means the member's value is tighter.  Ties
 * are broken by (origin, source) so that the result is the same whatever
 * the order of the members.
 */
static void cen_merge_field(struct cen_constraints *acc,
			    const struct cen_constraints *c, enum cen_field f,
			    int cmp, u16 member)
{
	u16 origin = CEN_ORIGIN_NONE;

	if (c->src[f] != CEN_SRC_NONE)
		origin = c->origin[f] != CEN_ORIGIN_NONE ? c->origin[f] : member;

	if (!cmp) {
		if (origin > acc->origin[f])
			return;
		if (origin == acc->origin[f] && c->src[f] <= acc->src[f])
			return;
	} else if (cmp > 0) {
		return;
	}
	cen_constraints_set(acc, f, cen_constraints_get(c, f), c->src[f]);
	acc->origin[f] = origin;
}

static int cen_cmp_min(u64 mine, u64 theirs)
{
	return theirs < mine ? -1 : theirs > mine;
}

static u8 cen_coherency_meet(u8 a, u8 b)
{
	if (a == b || b == CEN_COH_ANY)
		return a;
	if (a == CEN_COH_ANY)
		return b;
	return CEN_COH_CONFLICT;
}

void cen_merge(struct cen_constraints *acc, const struct cen_constraints *c,
	       u16 member)
{
	u8 coh;

	cen_merge_field(acc, c, CEN_F_ADDR_LIMIT,
			cen_cmp_min(acc->addr_limit, c->addr_limit), member);
	cen_merge_field(acc, c, CEN_F_MAX_SEGMENTS,
			cen_cmp_min(acc->max_segments, c->max_segments),
			member);
	cen_merge_field(acc, c, CEN_F_MAX_SEG_SIZE,
			cen_cmp_min(acc->max_seg_size, c->max_seg_size),
			member);
	cen_merge_field(acc, c, CEN_F_SEG_BOUNDARY,
			cen_cmp_min(acc->seg_boundary_mask,
				    c->seg_boundary_mask), member);
	/* Larger alignment is tighter. */
	cen_merge_field(acc, c, CEN_F_ALIGN,
			cen_cmp_min(c->align, acc->align), member);
	cen_merge_field(acc, c, CEN_F_IOMMU,
			cen_cmp_min(acc->iommu, c->iommu), member);

	/*
	 * Coherency is a semilattice, not a total order: "any" below both
	 * requirements, a conflict above them.  A conflict has no single
	 * origin, so it keeps none (that is what keeps the merge
	 * associative); cen_merge_all() names the members instead.
	 */
	coh = cen_coherency_meet(acc->coherency, c->coherency);
	if (coh == CEN_COH_CONFLICT) {
		if (acc->coherency != CEN_COH_CONFLICT) {
			acc->coherency = CEN_COH_CONFLICT;
			acc->src[CEN_F_COHERENCY] = CEN_SRC_NONE;
			acc->origin[CEN_F_COHERENCY] = CEN_ORIGIN_NONE;
		}
		return;
	}
	cen_merge_field(acc, c, CEN_F_COHERENCY,
			coh == acc->coherency ? (coh == c->coherency ? 0 : 1) : -1,
			member);
}

/* Round @v up to a multiple of the power of two @p; 0 on overflow. */
static u64 cen_roundup(u64 v, u64 p)
{
	if (v > U64_MAX - (p - 1))
		return 0;
	return (v + p - 1) & ~(p - 1);
}

/*
 * The feasibility question in closed form.  Every length in the model is a
 * power of two, so pieces of cen_inner_seg_max() tile boundary windows and
 * a contiguous run needs the fewest segments of any layout.  Only its start
 * matters: the lowest aligned address gives the shortest span, the first
 * piece-aligned address the fewest segments, and nothing else beats both.
 */
int cen_check(const struct cen_constraints *c, u64 size,
	      unsigned int granule_shift, struct cen_why *why)
{
	u64 g = 1ULL << granule_shift;
	u64 a = c->align > g ? c->align : g;
	u64 span, q, start[2], best = U64_MAX;
	int i, n_start = 1, ret;
	bool fits = false;

	/* Before validation, which refuses a conflict in a member. */
	if (c->coherency == CEN_COH_CONFLICT)
		return cen_why_set(why, CEN_R_COHERENCY_CONFLICT, CEN_F_COHERENCY,
				CEN_ORIGIN_NONE, 0, 0);
	ret = cen_constraints_validate(c, why);
	if (ret)
		return ret;
	if (!size)
		return cen_why_set(why, CEN_R_ZERO_SIZE, CEN_F_COUNT,
				CEN_ORIGIN_NONE, 0, 0);
	span = cen_roundup(size, g);
	if (!span)
		return cen_why_set(why, CEN_R_SIZE_OVERFLOW, CEN_F_COUNT,
				CEN_ORIGIN_NONE, size, U64_MAX);
	if (c->max_seg_size < g)
		return cen_why_set(why, CEN_R_SEG_BELOW_GRANULE, CEN_F_MAX_SEG_SIZE,
				c->origin[CEN_F_MAX_SEG_SIZE], c->max_seg_size,
				g);
	if (c->seg_boundary_mask < g - 1)
		return cen_why_set(why, CEN_R_BOUNDARY_BELOW_GRANULE,
				CEN_F_SEG_BOUNDARY,
				c->origin[CEN_F_SEG_BOUNDARY],
				c->seg_boundary_mask, g - 1);
	/* Address 0 is never used: the first aligned address is @a. */
	if (c->addr_limit < a || c->addr_limit - a < g - 1) {
		if (a > g)
			return cen_why_set(why, CEN_R_ALIGN_ABOVE_LIMIT,
					CEN_F_ALIGN, c->origin[CEN_F_ALIGN], a,
					c->addr_limit);
		return cen_why_set(why, CEN_R_ADDR_LIMIT_TOO_LOW, CEN_F_ADDR_LIMIT,
				c->origin[CEN_F_ADDR_LIMIT], span,
				c->addr_limit);
	}

	q = cen_inner_seg_max(c, granule_shift);
	start[0] = a;
	if (q > a)
		start[n_start++] = q;

	for (i = 0; i < n_start; i++) {
		u64 n;

		if (c->addr_limit - start[i] < span - 1 ||
		    c->addr_limit < start[i])
			continue;
		fits = true;
		n = cen_chunk_segments(c, start[i], span, true, granule_shift);
		if (n < best)
			best = n;
	}
	if (!fits)
		return cen_why_set(why, CEN_R_ADDR_LIMIT_TOO_LOW, CEN_F_ADDR_LIMIT,
				c->origin[CEN_F_ADDR_LIMIT], span,
				c->addr_limit);
	if (best == U64_MAX)
		return cen_why_set(why, CEN_R_ALIGN_ABOVE_SEGMENT, CEN_F_ALIGN,
				c->origin[CEN_F_ALIGN], a,
				cen_eff_seg_size(c));
	if (best > c->max_segments)
		return cen_why_set(why, CEN_R_TOO_FEW_SEGMENTS, CEN_F_MAX_SEGMENTS,
				c->origin[CEN_F_MAX_SEGMENTS], best,
				c->max_segments);
	cen_why_clear(why);
	return 0;
}

void cen_backing_view(const struct cen_constraints *merged,
		      struct cen_constraints *backing)
{
	*backing = *merged;
	backing->max_segments = U32_MAX;
	backing->max_seg_size = U64_MAX;
	backing->seg_boundary_mask = U64_MAX;
	backing->src[CEN_F_MAX_SEGMENTS] = CEN_SRC_NONE;
	backing->src[CEN_F_MAX_SEG_SIZE] = CEN_SRC_NONE;
	backing->src[CEN_F_SEG_BOUNDARY] = CEN_SRC_NONE;
	backing->origin[CEN_F_MAX_SEGMENTS] = CEN_ORIGIN_NONE;
	backing->origin[CEN_F_MAX_SEG_SIZE] = CEN_ORIGIN_NONE;
	backing->origin[CEN_F_SEG_BOUNDARY] = CEN_ORIGIN_NONE;
}

/*
 * Does one contiguous run at @start serve every member?  Returns the index
 * of the first member it does not serve, or @n; @need is that member's
 * count.
 */
static u32 cen_run_serves(const struct cen_constraints *members, u32 n,
			  u64 start, u64 span, unsigned int gs, u64 *need)
{
	u32 i;

	for (i = 0; i < n; i++) {
		*need = cen_chunk_segments(&members[i], start, span, true, gs);
		if (*need > members[i].max_segments)
			return i;
	}
	return n;
}

int cen_merge_all(const struct cen_constraints *members, u32 n, u64 size,
		  unsigned int granule_shift, struct cen_constraints *out,
		  struct cen_why *why)
{
	u64 g = 1ULL << granule_shift;
	struct cen_constraints backing;
	u64 a, span, start, q, need = 0, best_need = U64_MAX;
	u32 i, j, bad = 0, best_bad = 0;
	bool fits = false;
	int ret, k;

	cen_constraints_init(out);
	for (i = 0; i < n; i++) {
		ret = cen_constraints_validate(&members[i], why);
		if (ret) {
			if (why)
				why->member = i;
			return ret;
		}
		cen_merge(out, &members[i], i > 0xfffe ? 0xfffe : (u16)i);
	}
	cen_backing_view(out, &backing);
	ret = cen_check(&backing, size, granule_shift, why);
	if (ret) {
		if (why && why->code == CEN_R_COHERENCY_CONFLICT) {
			/* Name the first member that needs each mode. */
			for (i = 0; i < n; i++)
				if (members[i].coherency == CEN_COH_CACHED)
					break;
			for (j = 0; j < n; j++)
				if (members[j].coherency == CEN_COH_UNCACHED)
					break;
			why->value = i;
			why->limit = j;
		}
		return ret;
	}
	/* Each member alone (its own granule and boundary rules). */
	for (i = 0; i < n; i++) {
		ret = cen_check(&members[i], size, granule_shift, why);
		if (ret) {
			if (why)
				why->member = i;
			return ret;
		}
	}

	/*
	 * One run for all: at the lowest aligned address (shortest span) or
	 * aligned to some member's piece size, which gives that member and
	 * every member with smaller pieces their fewest segments.  Piece
	 * sizes are powers of two, so at most 64 distinct starts.
	 */
	a = backing.align > g ? backing.align : g;
	span = (size + g - 1) & ~(g - 1);
	for (k = -1; k < 64; k++) {
		if (k < 0) {
			start = a;
		} else {
			start = 1ULL << k;
			if (start <= a)
				continue;
			for (i = 0; i < n; i++) {
				q = cen_inner_seg_max(&members[i],
						      granule_shift);
				if (q == start)
					break;
			}
			if (i == n)
				continue;
		}
		if (start > backing.addr_limit ||
		    backing.addr_limit - start < span - 1)
			continue;
		fits = true;
		bad = cen_run_serves(members, n, start, span, granule_shift,
				     &need);
		if (bad == n)
			break;
		if (best_need == U64_MAX || bad > best_bad) {
			best_bad = bad;
			best_need = need;
		}
	}
	if (!fits)
		return cen_why_set(why, CEN_R_ADDR_LIMIT_TOO_LOW, CEN_F_ADDR_LIMIT,
				backing.origin[CEN_F_ADDR_LIMIT], span,
				backing.addr_limit);
	if (bad != n) {
		cen_why_set(why, best_need == U64_MAX ? CEN_R_ALIGN_ABOVE_SEGMENT :
			 CEN_R_TOO_FEW_SEGMENTS, CEN_F_MAX_SEGMENTS, best_bad,
			 best_need, members[best_bad].max_segments);
		return -EINVAL;
	}
	cen_why_clear(why);
	return 0;
}
