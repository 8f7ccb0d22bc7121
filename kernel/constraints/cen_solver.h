/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * choose where a buffer's memory comes from.
 *
 * Backends are described by what they can do, not by what they are, so the
 * solver runs the same way in the kernel (on the backends registered on the
 * running system) and in userspace (on a JSON platform description).
 */
#ifndef CEN_SOLVER_H
#define CEN_SOLVER_H

#include "cen_constraints.h"

#define CEN_MAX_BACKENDS	8
#define CEN_NAME_LEN		32

enum cen_backend_kind {
	/* Pages from anywhere, highest orders first: chunks of one page up. */
	CEN_BK_SCATTER = 0,
	/* One physically contiguous chunk per buffer. */
	CEN_BK_CONTIG,
	CEN_BK_KIND_COUNT
};

/**
 * struct cen_backend_desc - capabilities of one backend.
 * @name: "system", "contig", "cma", "carveout".
 * @kind: enum cen_backend_kind.
 * @max_chunk: largest physically contiguous allocation, bytes.
 * @max_align: largest alignment a chunk can be given, bytes (power of 2).
 * @addr_lo: lowest physical address the backend returns.
 * @addr_hi: highest physical address the backend returns.
 * @lowest_limit: the backend can keep memory at or below any address limit
 *	of at least this (zones); equal to @addr_hi for a fixed region.
 * @free_bytes: memory the backend can hand out now.
 * @cost_rank: lower is cheaper (plentiful memory); the solver prefers it.
 * @coherency_mask: bit (1 << enum cen_coherency) for each caching it gives.
 */
struct cen_backend_desc {
	char name[CEN_NAME_LEN];
	u32 kind;
	u64 max_chunk;
	u64 max_align;
	u64 addr_lo;
	u64 addr_hi;
	u64 lowest_limit;
	u64 free_bytes;
	u32 cost_rank;
	u32 coherency_mask;
};

/**
 * struct cen_plan - how one backend would back the buffer.
 * @backend: index into the backend array.
 * @chunk: size of the smallest chunk the backend may use (scatter: the
 *	minimum order; contig: the whole buffer), bytes.
 * @align: alignment every chunk is allocated with, bytes.
 * @addr_limit: highest address the allocation may use.
 * @max_segments: worst-case segment count of this plan, the largest over
 *	the members.
 * @worst_addr: contig: the least favourable chunk address the estimate
 *	assumed; scatter: the lowest chunk address.
 * @prefer_limit: the address limit to try first, at or below @addr_limit:
 *	lower only where cen_solution_anticipate() placed a contiguous chunk
 *	within reach of devices that may attach later.
 */
struct cen_plan {
	u32 backend;
	u64 chunk;
	u64 align;
	u64 addr_limit;
	u64 max_segments;
	u64 worst_addr;
	u64 prefer_limit;
};

/**
 * struct cen_solution - the solver's answer.
 * @size: the buffer size rounded up to whole granules.
 * @n_plans: feasible backends, best first, in @plans.
 * @rejected: for every backend index, why it was refused (code 0 = it was
 *	not refused).
 * @why: when nothing is feasible, the reason for the whole set.
 */
struct cen_solution {
	u64 size;
	u32 n_plans;
	struct cen_plan plans[CEN_MAX_BACKENDS];
	struct cen_why rejected[CEN_MAX_BACKENDS];
	struct cen_why why;
};

/*
 * Solve for merged constraints @c and @size bytes over @n backends.
 * Returns 0 with at least one plan, -EINVAL when the set itself is
 * infeasible, -ENOSPC when no backend can serve it (reasons in @sol).
 */
int cen_solve(const struct cen_constraints *c, u64 size,
	      unsigned int granule_shift,
	      const struct cen_backend_desc *backends, u32 n,
	      struct cen_solution *sol);

/*
 * Solve for the members of a buffer (attachments and hints), each of which
 * gets its own scatterlist: the plan's backing satisfies every member's
 * segment rules under its own split, and the merged address limit,
 * alignment and coherency.  cen_solve() is this with one member.
 */
int cen_solve_members(const struct cen_constraints *members, u32 n_members,
		      u64 size, unsigned int granule_shift,
		      const struct cen_backend_desc *backends, u32 n,
		      struct cen_solution *sol);

/*
 * Anticipate devices that have not attached yet: give every contiguous plan
 * of @sol whose chunk fits at or below @limit (and whose backend can keep
 * memory there) that limit as its prefer_limit.  A chunk that must be
 * contiguous anyway costs no more low than high, and a device with that
 * address limit (32 bits is the common one) attaching later then finds it
 * in reach instead of needing a move that the devices mapping the buffer
 * may forbid.  Scatter plans keep their limit: memory nobody constrains
 * stays where it is plentiful.  @limit 0 or U64_MAX anticipates nothing.
 * Returns how many plans it lowered.
 */
u32 cen_solution_anticipate(struct cen_solution *sol,
			    const struct cen_backend_desc *backends, u32 n,
			    u64 limit);

/*
 * The chunks a plan's backend would produce for the worst case the solver
 * assumed (scatter: all chunks of the minimum size; contig: one chunk at
 * the lowest suitably aligned address of the backend), for tests and the
 * offline what-if.  Fills at most @max chunks, returns how many are needed.
 */
u64 cen_plan_synthetic_chunks(const struct cen_plan *p,
			      const struct cen_backend_desc *b, u64 size,
			      struct cen_segment *chunks, u64 max);

#endif /* CEN_SOLVER_H */
