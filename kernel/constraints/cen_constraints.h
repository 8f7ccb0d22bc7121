/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * the DMA constraint model of cenalloc, its merge, the
 * feasibility check, the segment layout rules and the verifier.
 *
 * One implementation, compiled into cenalloc.ko and into userspace.
 *
 * Semantics (docs/constraints.md has the long form).  A buffer is backed by
 * whole granules (pages) and handed to a device as a list of segments
 * (address, length), one scatterlist entry each.  A constraint set says
 * which segment lists a device accepts:
 *
 *  - every byte of every segment is at or below @addr_limit;
 *  - there are at most @max_segments segments (1 = physically contiguous);
 *  - no segment is longer than the largest power of two not above
 *    @max_seg_size (65535 counts as 32 KiB, UINT_MAX as 2 GiB): power-of-two
 *    pieces tile boundary windows exactly, at the price of at most twice
 *    the segments a device strictly needs;
 *  - no segment crosses a multiple of (@seg_boundary_mask + 1);
 *  - every segment starts at a multiple of @align, and every segment but
 *    the last one has a length that is a multiple of @align (so segments
 *    tile without gaps; this is the layout cenalloc builds);
 *  - physical address 0 is never used (no allocator hands it out).
 *
 * A device behind an IOMMU sees IOVAs: its physical constraints are "any"
 * and @iommu is set so explanations can say why.
 */
#ifndef CEN_CONSTRAINTS_H
#define CEN_CONSTRAINTS_H

#include "cen_types.h"

/* Where a constraint value came from, lowest priority first. */
enum cen_source {
	CEN_SRC_NONE = 0,	/* nobody constrained this field */
	CEN_SRC_DEFAULT,	/* the safe default policy */
	CEN_SRC_HINT,		/* a creation hint naming a device */
	CEN_SRC_DEVICE,		/* struct device: masks, dma_parms, IOMMU */
	CEN_SRC_PROFILE,	/* a platform profile loaded by userspace */
	CEN_SRC_DRIVER,		/* the driver declared it */
	CEN_SRC_COUNT
};

enum cen_field {
	CEN_F_ADDR_LIMIT = 0,
	CEN_F_MAX_SEGMENTS,
	CEN_F_MAX_SEG_SIZE,
	CEN_F_SEG_BOUNDARY,
	CEN_F_ALIGN,
	CEN_F_IOMMU,
	CEN_F_COHERENCY,
	CEN_F_COUNT
};

/* CPU caching the device needs; merge keeps the strictest. */
enum cen_coherency {
	CEN_COH_ANY = 0,	/* either works */
	CEN_COH_CACHED,		/* device snoops CPU caches */
	CEN_COH_UNCACHED,	/* device does not snoop: write-combine */
	CEN_COH_CONFLICT,	/* merged: both were required */
	CEN_COH_COUNT
};

/* Origin of a merged field: which member set it. */
#define CEN_ORIGIN_NONE		0xffff

struct cen_constraints {
	u64 addr_limit;		/* highest usable byte address */
	u64 max_seg_size;	/* bytes */
	u64 seg_boundary_mask;	/* 2^k - 1; U64_MAX = no boundary */
	u64 align;		/* power of two, bytes; 1 = none */
	u32 max_segments;	/* 1 = contiguous; U32_MAX = any */
	u8 iommu;		/* behind an IOMMU; merged: all members are */
	u8 coherency;		/* enum cen_coherency */
	u8 src[CEN_F_COUNT];	/* enum cen_source of each field */
	u16 origin[CEN_F_COUNT]; /* member index that set it (merged sets) */
};

/* Why a set, a backend or a segment list was refused. */
enum cen_reason {
	CEN_R_OK = 0,
	CEN_R_ZERO_SIZE,
	CEN_R_SIZE_OVERFLOW,
	CEN_R_BAD_ALIGN,		/* alignment not a power of two */
	CEN_R_BAD_BOUNDARY,		/* boundary mask not 2^k - 1 */
	CEN_R_BAD_COHERENCY,
	CEN_R_ZERO_SEGMENTS,
	CEN_R_SEG_BELOW_GRANULE,	/* max segment size under a page */
	CEN_R_BOUNDARY_BELOW_GRANULE,	/* boundary window under a page */
	CEN_R_COHERENCY_CONFLICT,	/* cached and uncached required */
	CEN_R_ADDR_LIMIT_TOO_LOW,	/* buffer does not fit below limit */
	CEN_R_ALIGN_ABOVE_LIMIT,	/* no aligned address below limit */
	CEN_R_ALIGN_ABOVE_SEGMENT,	/* aligned segments cannot tile */
	CEN_R_TOO_FEW_SEGMENTS,		/* seg size x seg count < size */
	/* backend refusals */
	CEN_R_NOT_NEEDED,		/* scarce memory, devices can scatter */
	CEN_R_NO_SPACE,			/* not enough free memory */
	CEN_R_CHUNK_TOO_SMALL,		/* largest allocation < need */
	CEN_R_ADDR_RANGE,		/* memory above the address limit */
	CEN_R_BACKEND_ALIGN,		/* cannot align to the need */
	CEN_R_BACKEND_SEGMENTS,		/* layout needs too many segments */
	CEN_R_BACKEND_COHERENCY,	/* cannot provide the caching */
	CEN_R_NO_BACKEND,		/* no backend at all */
	/* verifier findings */
	CEN_R_SEG_EMPTY,
	CEN_R_SEG_ADDR_ZERO,
	CEN_R_SEG_ABOVE_LIMIT,
	CEN_R_SEG_TOO_LONG,
	CEN_R_SEG_CROSSES_BOUNDARY,
	CEN_R_SEG_MISALIGNED,
	CEN_R_SEG_LENGTH_UNALIGNED,
	CEN_R_SEG_OVERLAP,
	CEN_R_SEG_COUNT,
	CEN_R_SEG_TOTAL,
	CEN_R_COUNT
};

/**
 * struct cen_why - a reason code with the field and member it concerns.
 * @code: enum cen_reason.
 * @field: enum cen_field concerned, or CEN_F_COUNT.
 * @member: index of the member or segment concerned, or CEN_ORIGIN_NONE.
 * @value: the offending value (segment index, count, bytes).
 * @limit: the limit it was checked against.
 */
struct cen_why {
	u32 code;
	u32 field;
	u32 member;
	u64 value;
	u64 limit;
};

/* Fill @why (when not NULL) and return -EINVAL. */
int cen_why_set(struct cen_why *why, u32 code, u32 field, u32 member,
		u64 value, u64 limit);

/* Mark @why (when not NULL) as "no problem". */
void cen_why_clear(struct cen_why *why);

/* A segment as a device sees it. */
struct cen_segment {
	u64 addr;
	u64 len;
};

/* ---- model ---------------------------------------------------------- */

/* The set that accepts everything: identity element of the merge. */
void cen_constraints_init(struct cen_constraints *c);

/* Set one field and record its source (values are not checked here). */
void cen_constraints_set(struct cen_constraints *c, enum cen_field f,
			 u64 value, enum cen_source src);

/* Read a field as u64. */
u64 cen_constraints_get(const struct cen_constraints *c, enum cen_field f);

/*
 * Reject malformed values (@why filled, -EINVAL): alignment and boundary
 * not of power-of-two form, zero segments, unknown coherency.
 */
int cen_constraints_validate(const struct cen_constraints *c,
			     struct cen_why *why);

/*
 * Overlay the fields of @layer whose source is set onto @dst: used to
 * resolve one device from its sources, higher priority applied last.
 */
void cen_constraints_overlay(struct cen_constraints *dst,
			     const struct cen_constraints *layer);

/**
 * struct cen_dev_caps - what a struct device says about itself.
 * @dma_mask: the streaming DMA mask; 0 if unset.
 * @bus_dma_limit: the bus limit; 0 if none.
 * @max_seg_size: dma_get_max_seg_size(); 0 if unknown.
 * @seg_boundary_mask: dma_get_seg_boundary(); 0 if unknown.
 * @iommu: device_iommu_mapped().
 * @coherent: dev_is_dma_coherent().
 */
struct cen_dev_caps {
	u64 dma_mask;
	u64 bus_dma_limit;
	u64 max_seg_size;
	u64 seg_boundary_mask;
	bool iommu;
	bool coherent;
};

/*
 * Translate device capabilities into a CEN_SRC_DEVICE layer.  A device
 * behind an IOMMU gets "any" physical constraints (the IOMMU remaps).
 */
void cen_constraints_from_caps(const struct cen_dev_caps *caps,
			       struct cen_constraints *layer);

/*
 * Resolve the constraints of one device from its layers (any of them may
 * be NULL), highest priority winning per field, then apply the default
 * policy: a device that is not behind an IOMMU and for which no driver or
 * profile said how many segments it takes is assumed to need contiguous
 * memory, unless @relax_default.
 */
void cen_resolve(const struct cen_constraints *device,
		 const struct cen_constraints *profile,
		 const struct cen_constraints *driver,
		 bool relax_default, struct cen_constraints *out);

/* ---- merge ---------------------------------------------------------- */

/*
 * Intersect @c into @acc: tightest value per field, its source and origin
 * follow the member that set it (ties keep the lower member index, so the
 * result does not depend on order).  Commutative, associative, idempotent.
 */
void cen_merge(struct cen_constraints *acc, const struct cen_constraints *c,
	       u16 member);

/*
 * Is there any segment list of @size bytes, built from whole granules of
 * 2^@granule_shift bytes, that @c accepts?  0, or -EINVAL with @why.
 */
int cen_check(const struct cen_constraints *c, u64 size,
	      unsigned int granule_shift, struct cen_why *why);

/*
 * Merge @n members (validating each) into @out and check that one backing
 * store can serve all of them.  Every attachment gets its own scatterlist,
 * split by its own rules, so the segment fields are checked per member on
 * a common backing, not on their intersection: a contiguous-only camera
 * and a display taking 64 KiB segments share one contiguous buffer.
 * Address limit, alignment and coherency apply to the backing as merged.
 * @why->member names the member that could not be served.
 */
int cen_merge_all(const struct cen_constraints *members, u32 n, u64 size,
		  unsigned int granule_shift, struct cen_constraints *out,
		  struct cen_why *why);

/*
 * The backing view of a merged set: its address limit, alignment and
 * coherency, with no segment rules (those are per member).
 */
void cen_backing_view(const struct cen_constraints *merged,
		      struct cen_constraints *backing);

/* ---- layout --------------------------------------------------------- */

/* The effective segment size limit: rounddown_pow2(max_seg_size). */
u64 cen_eff_seg_size(const struct cen_constraints *c);

/*
 * The piece length cenalloc splits runs into: min(effective segment size,
 * boundary window), a power of two.  0 when it is below the alignment or
 * the granule, so only a single segment can be built.
 */
u64 cen_inner_seg_max(const struct cen_constraints *c,
		      unsigned int granule_shift);

/*
 * Number of segments cenalloc builds for one contiguous chunk of @len
 * bytes at @addr when it is (@last) or is not the end of the buffer.
 * U64_MAX when the chunk cannot be split under @c.
 */
u64 cen_chunk_segments(const struct cen_constraints *c, u64 addr, u64 len,
		       bool last, unsigned int granule_shift);

/*
 * Split a contiguous chunk into the segments a device with @c must see.
 * @emit is called for each, in address order; a non-zero return stops the
 * split and is returned.  Returns -EINVAL if the chunk cannot be split.
 */
int cen_split_chunk(const struct cen_constraints *c, u64 addr, u64 len,
		    bool last, unsigned int granule_shift,
		    int (*emit)(void *ctx, u64 addr, u64 len), void *ctx);

/*
 * Check a concrete segment list of @size bytes against @c: every rule of
 * the model, plus no overlap.  0, or -EINVAL with the first violation in
 * @why (member = segment index).
 */
int cen_verify(const struct cen_constraints *c, const struct cen_segment *segs,
	       u32 n, u64 size, struct cen_why *why);

/* ---- text ----------------------------------------------------------- */

const char *cen_source_name(enum cen_source s);
const char *cen_field_name(enum cen_field f);
const char *cen_reason_name(enum cen_reason r);
const char *cen_coherency_name(enum cen_coherency c);

/* Readable sentence for @why, NUL-terminated, truncated to @len. */
int cen_why_format(const struct cen_why *why, char *buf, size_t len);

/*
 * The same, for readers who must not see physical addresses: a segment is
 * named by its offset in the buffer, which the caller has put in
 * why->value for the reasons whose sentence names an address
 * (cen_why_is_address()); the addresses of a backend are left out.
 */
int cen_why_format_offsets(const struct cen_why *why, char *buf, size_t len);

/* Does this reason's sentence name a physical address (see above)? */
bool cen_why_is_address(const struct cen_why *why);
#endif /* CEN_CONSTRAINTS_H */
