// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer object and its dma_buf_ops: delayed allocation, one
 * scatterlist per attachment split by that device's own rules, mmap through
 * a fault handler, vmap and CPU access.
 */
#include <linux/capability.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <linux/vmalloc.h>

#include "cenalloc_api.h"
#include "cenalloc_compat.h"
#include "cenalloc_internal.h"
#include "cenalloc_trace.h"

static atomic64_t cenalloc_next_id = ATOMIC64_INIT(0);
static const struct dma_buf_ops cenalloc_dmabuf_ops;
static const struct dma_buf_ops cenalloc_dynamic_ops;

/**
 * cenalloc_buffer_from_dmabuf() - the cenalloc buffer behind a dma-buf.
 * @dmabuf: any dma-buf.
 *
 * Return: the buffer, or NULL when cenalloc did not export @dmabuf.
 */
struct cenalloc_buffer *cenalloc_buffer_from_dmabuf(struct dma_buf *dmabuf)
{
	return cenalloc_is_cenalloc_dmabuf(dmabuf) ? dmabuf->priv : NULL;
}

/**
 * cenalloc_is_cenalloc_dmabuf() - is this dma-buf exported by cenalloc?
 * @dmabuf: any dma-buf
 *
 * Return: true when cenalloc exported it.
 */
bool cenalloc_is_cenalloc_dmabuf(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &cenalloc_dmabuf_ops ||
	       dmabuf->ops == &cenalloc_dynamic_ops;
}
EXPORT_SYMBOL_GPL(cenalloc_is_cenalloc_dmabuf);

/**
 * cenalloc_reason_slot() - room for a reason, allocated at its first use.
 * @slot: &buf->last_reason or &buf->migration_reason, under the buffer's
 *	reservation lock (or not yet shared).
 *
 * Return: CENALLOC_REASON_MAX bytes, or NULL without memory (the text is
 * then not kept; what it decided stands).
 */
char *cenalloc_reason_slot(char **slot)
{
	if (!*slot)
		*slot = kmalloc(CENALLOC_REASON_MAX, GFP_KERNEL_ACCOUNT);
	return *slot;
}

/* ": max segments 1 from vivid.0 (default policy), ..." */
static size_t cenalloc_explain(const struct cenalloc_buffer *buf, char *out,
			       size_t len)
{
	static const enum cen_field fields[] = {
		CEN_F_MAX_SEGMENTS, CEN_F_ADDR_LIMIT,
	};
	const struct cen_constraints *c = &buf->merged;
	size_t pos = 0, i;

	out[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(fields) && pos < len; i++) {
		enum cen_field f = fields[i];

		if (c->src[f] == CEN_SRC_NONE)
			continue;
		u64 v = cen_constraints_get(c, f);

		pos += scnprintf(out + pos, len - pos,
				 v < 0x10000 ? "%s %s %llu from %s (%s)" :
					       "%s %s 0x%llx from %s (%s)",
				 pos ? "," : ":", cen_field_name(f), v,
				 cenalloc_member_name(buf, c->origin[f]),
				 cen_source_name(c->src[f]));
	}
	return pos;
}

/*
 * "system, 1 run(s), 0 member(s): max segments 1 from vivid.0 (default
 * policy)...": what the allocation decided, said from the state it left.
 */
static void cenalloc_backed_words(const struct cenalloc_buffer *buf,
				  char *out, size_t len)
{
	const struct cenalloc_backing *bk = buf->backing;
	size_t pos;

	pos = scnprintf(out, len, "%s, %u run(s), %u member(s)%s",
			bk->backend->desc.name, bk->nr_runs, buf->nr_members,
			buf->note_fallback ? ", after fallback" : "");
	pos += cenalloc_explain(buf, out + pos, len - pos);
	if (bk->anticipated)
		scnprintf(out + pos, len - pos,
			  "; placed at or below 0x%llx for devices that may attach later",
			  bk->anticipated);
}

/**
 * cenalloc_last_reason() - the text of the buffer's last decision.
 * @buf: the buffer, its reservation lock held.
 * @tmp: room for words made from the buffer's state.
 * @len: size of @tmp.
 *
 * Return: the reason recorded, or one said from the buffer's state.
 */
const char *cenalloc_last_reason(const struct cenalloc_buffer *buf,
				 char *tmp, size_t len)
{
	switch (buf->note) {
	case CENALLOC_NOTE_CREATED:
		snprintf(tmp, len, "created with %u hint(s), no memory yet",
			 buf->created_hints);
		return tmp;
	case CENALLOC_NOTE_BACKED:
		cenalloc_backed_words(buf, tmp, len);
		return tmp;
	case CENALLOC_NOTE_ATTACHED:
		snprintf(tmp, len, "attached %s",
			 list_last_entry(&buf->members, struct cenalloc_member,
					 node)->name);
		return tmp;
	default:
		return buf->last_reason ?: "(no memory to record the reason)";
	}
}

/*
 * A successful decision whose words follow from the buffer's state, which
 * only a later decision changes: said when read (cenalloc_last_reason()).
 * Formatting them on every first use and attach cost a small buffer a
 * tenth of its time; only the decision tracepoint wants them now.
 */
static void cenalloc_note(struct cenalloc_buffer *buf, enum cenalloc_note note)
{
	char words[CENALLOC_REASON_MAX];

	buf->last_error = 0;
	buf->note = note;
	if (trace_cenalloc_decision_enabled())
		trace_cenalloc_decision(buf->id, 0,
					cenalloc_last_reason(buf, words,
							     sizeof(words)));
}

/**
 * cenalloc_decide() - record a buffer's latest decision and its reason.
 * @buf: the buffer, its reservation lock held (or not yet shared).
 * @err: 0 or the negative errno the decision returns.
 * @fmt: the reason, in words, for INFO: buffer offsets and sizes, never
 *	a physical address (any holder of the fd may read it).
 *
 * Refusals also go to the kernel log, escaped: names in the reason come
 * from users.
 */
void cenalloc_decide(struct cenalloc_buffer *buf, int err, const char *fmt, ...)
{
	char *text = cenalloc_reason_slot(&buf->last_reason);
	va_list args;

	buf->last_error = err;
	buf->note = CENALLOC_NOTE_TEXT;
	if (!text)
		return;
	va_start(args, fmt);
	vsnprintf(text, CENALLOC_REASON_MAX, fmt, args);
	va_end(args);
	if (err)
		pr_info_ratelimited("cenalloc: buffer %llu (%*pE): %*pE\n",
				    buf->id, (int)strlen(buf->name), buf->name,
				    (int)strlen(text), text);
	trace_cenalloc_decision(buf->id, err, text);
}

/**
 * cenalloc_member_alloc() - a new member, with no constraints or mappings.
 *
 * Return: the member, or NULL without memory.
 */
struct cenalloc_member *cenalloc_member_alloc(void)
{
	struct cenalloc_member *m;

	if (cenalloc_should_fail(CENALLOC_FAIL_MEMBER))
		return NULL;
	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (m)
		INIT_LIST_HEAD(&m->maps);
	return m;
}

/**
 * cenalloc_member_flags() - a member's CENALLOC_ATT_* as INFO shows them.
 * @buf: its buffer, reservation lock held.
 * @m: the member.
 *
 * Return: its flags, with CENALLOC_ATT_MAPPED while it has a mapping of
 * the current backing.
 */
u32 cenalloc_member_flags(const struct cenalloc_buffer *buf,
			  const struct cenalloc_member *m)
{
	return m->flags | (cenalloc_member_mapping(m, buf->backing) ?
			   CENALLOC_ATT_MAPPED : 0);
}

/**
 * cenalloc_member_segments() - entries of a member's newest mapping.
 * @buf: its buffer, reservation lock held.
 * @m: the member.
 *
 * Return: the sg entries of its newest mapping of the current backing, 0
 * when it has none.
 */
u32 cenalloc_member_segments(const struct cenalloc_buffer *buf,
			     const struct cenalloc_member *m)
{
	struct cenalloc_mapping *map = cenalloc_member_mapping(m, buf->backing);

	return map ? map->sgt.nents : 0;
}

/* Copy the members into @arr, in list order (the indices origins use). */
static u32 cenalloc_members_fill(struct cenalloc_buffer *buf,
				 struct cen_constraints *arr)
{
	struct cenalloc_member *m;
	u32 i = 0;

	list_for_each_entry(m, &buf->members, node)
		arr[i++] = m->c;
	return i;
}

/* The members as an array (there is at least one). */
static struct cen_constraints *cenalloc_members_array(struct cenalloc_buffer *buf,
						      u32 *n)
{
	struct cen_constraints *arr;

	arr = kmalloc_array(buf->nr_members, sizeof(*arr), GFP_KERNEL);
	if (arr)
		*n = cenalloc_members_fill(buf, arr);
	return arr;
}

/**
 * cenalloc_member_name() - the name of a buffer's member, by index.
 * @buf: the buffer, its reservation lock held (or not yet shared).
 * @idx: the index, as the merged set's origins use it.
 *
 * Return: the device name, or "?" for an index out of range.
 */
const char *cenalloc_member_name(const struct cenalloc_buffer *buf, u32 idx)
{
	struct cenalloc_member *m;
	u32 i = 0;

	list_for_each_entry(m, &buf->members, node)
		if (i++ == idx)
			return m->name;
	return "?";
}

/* Re-merge the members; on failure the reason is in @why. */
static int cenalloc_remerge(struct cenalloc_buffer *buf, struct cen_why *why)
{
	struct cen_constraints *arr, merged;
	u32 n;
	int ret;

	/* Nothing to merge: no constraint, which every size satisfies. */
	if (!buf->nr_members) {
		cen_constraints_init(&buf->merged);
		return 0;
	}
	arr = cenalloc_members_array(buf, &n);
	if (!arr)
		return -ENOMEM;
	ret = cen_merge_all(arr, n, buf->size, PAGE_SHIFT, &merged, why);
	kfree(arr);
	if (!ret)
		buf->merged = merged;
	return ret;
}

struct cenalloc_fit {
	const struct cen_constraints *c;
	u64 count;
	u64 offset;		/* in the buffer, of the next segment */
	struct cen_why why;
};

static int cenalloc_fit_emit(void *ctx, u64 addr, u64 len)
{
	struct cenalloc_fit *f = ctx;
	struct cen_segment seg = { .addr = addr, .len = len };
	int ret;

	if (++f->count > f->c->max_segments) {
		f->why.code = CEN_R_SEG_COUNT;
		f->why.value = f->count;
		f->why.limit = f->c->max_segments;
		return -EINVAL;
	}
	/* Per-segment rules; the split itself guarantees the rest. */
	ret = cen_verify(f->c, &seg, 1, len, &f->why);
	if (ret) {
		f->why.member = f->count - 1;
		/* Explanations name the offset, never the address. */
		if (cen_why_is_address(&f->why))
			f->why.value = f->offset;
	}
	f->offset += len;
	return ret;
}

/**
 * cenalloc_backing_fits() - does a backing suit one member?
 * @bk: the backing.
 * @c: the member's constraints.
 * @why: when not NULL, why not; a segment is named by its buffer offset
 *	(format it with cen_why_format_offsets()).
 *
 * Return: 0 when @bk, split by @c's rules, gives segments the device
 * accepts; -EINVAL otherwise.
 */
int cenalloc_backing_fits(const struct cenalloc_backing *bk,
			  const struct cen_constraints *c, struct cen_why *why)
{
	struct cenalloc_fit f = { .c = c };
	u64 run_offset = 0;
	u32 r;
	int ret = 0;

	for (r = 0; r < bk->nr_runs && !ret; r++) {
		f.offset = run_offset;
		ret = cen_split_chunk(c, bk->runs[r].addr, bk->runs[r].len,
				      r + 1 == bk->nr_runs, PAGE_SHIFT,
				      cenalloc_fit_emit, &f);
		run_offset += bk->runs[r].len;
	}
	if (ret && !f.why.code) {
		/* The split refused the run: it cannot start aligned. */
		f.why.code = CEN_R_SEG_MISALIGNED;
		f.why.member = f.count;
		f.why.value = run_offset - bk->runs[r - 1].len;
		f.why.limit = c->align;
	}
	if (why)
		*why = f.why;
	return ret;
}

/**
 * cenalloc_backing_free() - give a backing's memory back, and its charge.
 * @bk: a backing no device or CPU mapping uses any more.
 */
void cenalloc_backing_free(struct cenalloc_backing *bk)
{
	struct cenalloc_backend *be = bk->backend;

	atomic64_sub(bk->size, &be->used);
	be->free(be, bk);
	cenalloc_quota_uncharge(bk->quota, bk->charged);
	kfree(bk);
}

/*
 * Charge @bytes of scarce memory to the creator's record: within its
 * RLIMIT_MEMLOCK, or beyond when the creator has CAP_IPC_LOCK.  As mlock()
 * does, the capability is asked only when the limit would be passed, so
 * that buffers within it neither audit a capability check nor mark the
 * task as having used one.  The dma-buf's file holds the creator's
 * credentials.
 */
static int cenalloc_charge_scarce(struct cenalloc_buffer *buf, u64 bytes,
				  char *why, size_t len)
{
	int ret;

	ret = cenalloc_quota_charge(buf->quota, buf->scarce_limit, bytes, why,
				    len);
	if (ret == -EDQUOT && file_ns_capable(buf->dmabuf->file, &init_user_ns,
					      CAP_IPC_LOCK))
		ret = cenalloc_quota_charge(buf->quota, U64_MAX, bytes, why,
					    len);
	return ret;
}

/*
 * Allocate @bk->size bytes following @plan and check that the real memory
 * suits each of the @n members in @arr.  Memory nobody else could use
 * instead (contiguous, CMA, carveout, low zones) is charged to the
 * creator's quota first.  On failure @text says why and nothing is held.
 */
static int cenalloc_try_plan(struct cenalloc_buffer *buf,
			     struct cenalloc_backing *bk,
			     const struct cen_plan *plan,
			     const struct cen_constraints *arr, u32 n,
			     char *text, size_t len)
{
	struct cenalloc_backend *be = cenalloc_backend_get(plan->backend);
	struct cen_why why;
	/* Timed for the tracepoint only. */
	u64 t0 = trace_cenalloc_allocate_enabled() ? ktime_get_ns() : 0;
	char seg[96];
	u32 m;
	int ret;

	*bk = (struct cenalloc_backing){ .fill = bk->fill };
	bk->size = buf->size;
	bk->backend = be;
	if (cenalloc_should_fail(CENALLOC_FAIL_BACKEND)) {
		atomic64_inc(&be->failures);
		snprintf(text, len, "%s: allocation failure injected",
			 be->desc.name);
		return -ENOMEM;
	}
	if (cenalloc_plan_is_scarce(be, plan)) {
		if (!buf->quota)
			buf->quota = cenalloc_quota_get(buf->creator);
		if (!buf->quota) {
			snprintf(text, len, "%s: no memory for the quota record",
				 be->desc.name);
			return -ENOMEM;
		}
		bk->quota = buf->quota;
		ret = cenalloc_charge_scarce(buf, bk->size, seg, sizeof(seg));
		if (ret) {
			snprintf(text, len, "%s: %s", be->desc.name, seg);
			return ret;
		}
		bk->charged = bk->size;
	}
	ret = be->alloc(be, bk, plan);
	if (trace_cenalloc_allocate_enabled())
		trace_cenalloc_allocate(buf->id, be->desc.name, buf->size,
					bk->nr_runs, ret, ktime_get_ns() - t0);
	if (ret) {
		snprintf(text, len, "%s: %s (%d)", be->desc.name,
			 ret == -EINTR ? "interrupted" : "no memory", ret);
		goto fail;
	}
	/* The real addresses may differ from the worst case. */
	for (m = 0; m < n; m++)
		if (cenalloc_backing_fits(bk, &arr[m], &why))
			break;
	if (m == n)
		return 0;
	cen_why_format_offsets(&why, seg, sizeof(seg));
	snprintf(text, len, "%s: the memory it gave does not suit %s: %s",
		 be->desc.name, cenalloc_member_name(buf, m), seg);
	be->free(be, bk);
	ret = -ENOMEM;
fail:
	atomic64_inc(&be->failures);
	cenalloc_quota_uncharge(bk->quota, bk->charged);
	bk->charged = 0;
	return ret;
}

/*
 * Try @plan where it anticipates later devices first (prefer_limit), then
 * where its members allow.  Only a plain shortage falls back: a quota or
 * a fatal signal would stop the second try too.
 */
static int cenalloc_try_placed(struct cenalloc_buffer *buf,
			       struct cenalloc_backing *bk,
			       const struct cen_plan *plan,
			       const struct cen_constraints *arr, u32 n,
			       char *text, size_t len)
{
	struct cen_plan low = *plan;
	int ret;

	if (plan->prefer_limit < plan->addr_limit) {
		low.addr_limit = plan->prefer_limit;
		ret = cenalloc_try_plan(buf, bk, &low, arr, n, text, len);
		if (!ret)
			bk->anticipated = plan->prefer_limit;
		if (ret != -ENOMEM)
			return ret;
	}
	return cenalloc_try_plan(buf, bk, plan, arr, n, text, len);
}

/*
 * No plan: say why in @why, with each backend's own reason after it
 * (contiguous backends first: when no device can take scattered pages,
 * theirs are the reasons that matter), as far as @len allows, and every
 * reason in the log.
 */
static void cenalloc_explain_unsolved(struct cenalloc_buffer *buf,
				      const struct cen_solution *sol,
				      const struct cen_backend_desc *descs,
				      u32 nb, char *text, char *why,
				      size_t len)
{
	size_t pos;
	u32 pass, i;

	cen_why_format_offsets(&sol->why, text, CENALLOC_REASON_MAX);
	pos = scnprintf(why, len, "cannot back %llu bytes: %s", buf->size,
			text);
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nb; i++) {
			bool contig = descs[i].kind == CEN_BK_CONTIG;

			if (contig == !!pass || !sol->rejected[i].code)
				continue;
			cen_why_format_offsets(&sol->rejected[i], text,
					       CENALLOC_REASON_MAX);
			pos += scnprintf(why + pos, len - pos, "; %s: %s",
					 descs[i].name, text);
			pr_info_ratelimited("cenalloc: buffer %llu: %s: %s\n",
					    buf->id, descs[i].name, text);
		}
	}
}

/**
 * cenalloc_backing_alloc() - allocate backing for a buffer's members.
 * @buf: the buffer, its reservation lock held.
 * @fill: CENALLOC_OVERWRITTEN when the caller writes every byte before
 *	anybody can read one (a migration's copy): no clearing first.
 * @out: the new backing, not yet installed.
 * @fallback: set when the first plan failed and a later one served.
 * @why: on failure, what went wrong, in words.
 * @len: size of @why.
 *
 * Solve for the current members, then try the plans in order until one
 * allocation succeeds and the real memory suits every member.  The memory
 * is charged to the buffer's creator: pages to its memory cgroup, scarce
 * memory also to its quota.
 *
 * Return: 0; -ENOMEM with @why filled in; -EDQUOT when only the creator's
 * quota of scarce memory stood in the way; -EINTR on a fatal signal.
 */
int cenalloc_backing_alloc(struct cenalloc_buffer *buf, enum cenalloc_fill fill,
			   struct cenalloc_backing **out, bool *fallback,
			   char *why, size_t len)
{
	/* Off the stack: this runs deep in importers' call chains. */
	struct cenalloc_solve_scratch {
		struct cen_solution sol;
		struct cen_backend_desc descs[CEN_MAX_BACKENDS];
		char text[CENALLOC_REASON_MAX];
		struct cen_constraints members[];
	} *scratch;
	struct cenalloc_backing *bk;
	struct cen_constraints *arr;
	struct mem_cgroup *old_memcg;
	struct cen_solution *sol;
	bool quota_only = true;
	u32 n, nb, i;
	int ret;

	dma_resv_assert_held(buf->dmabuf->resv);
	ret = -ENOMEM;
	if (cenalloc_should_fail(CENALLOC_FAIL_SOLVE)) {
		strscpy(why, "out of memory for the solver (injected)", len);
		return ret;
	}
	/* Not zeroed: the solver clears @sol, and the rest is written first. */
	scratch = kmalloc(struct_size(scratch, members, buf->nr_members),
			  GFP_KERNEL);
	bk = kzalloc(sizeof(*bk), GFP_KERNEL);
	if (!scratch || !bk) {
		strscpy(why, "out of memory for the solver", len);
		goto out;
	}
	bk->fill = fill;
	scratch->text[0] = '\0';
	arr = scratch->members;
	n = cenalloc_members_fill(buf, arr);
	sol = &scratch->sol;
	cenalloc_backend_descs(scratch->descs, &nb);
	ret = cen_solve_members(arr, n, buf->size, PAGE_SHIFT, scratch->descs,
				nb, sol);
	trace_cenalloc_solve(buf->id, n, sol->n_plans, ret);
	if (ret) {
		cenalloc_explain_unsolved(buf, sol, scratch->descs, nb,
					  scratch->text, why, len);
		ret = -ENOMEM;
		goto out;
	}
	cen_solution_anticipate(sol, scratch->descs, nb,
				READ_ONCE(cenalloc_anticipate_limit));

	/*
	 * Charge the creator, not whoever happens to fault, map or attach
	 * first: the buffer is the creator's.
	 */
	old_memcg = set_active_memcg(buf->memcg);
	for (i = 0; i < sol->n_plans; i++) {
		ret = cenalloc_try_placed(buf, bk, &sol->plans[i], arr, n,
					  scratch->text, CENALLOC_REASON_MAX);
		if (!ret || ret == -EINTR)
			break;
		quota_only &= ret == -EDQUOT;
	}
	set_active_memcg(old_memcg);
	if (!ret) {
		atomic64_add(bk->size, &bk->backend->used);
		atomic64_inc(&bk->backend->allocations);
		if (fallback)
			*fallback = i > 0;
		*out = bk;
		bk = NULL;
	} else {
		if (ret != -EINTR)
			ret = quota_only ? -EDQUOT : -ENOMEM;
		snprintf(why, len,
			 "every feasible backend failed to allocate %llu bytes, last %s",
			 buf->size, scratch->text);
	}
out:
	kfree(bk);
	kfree(scratch);
	return ret;
}

/**
 * cenalloc_ensure_backed() - back the buffer for its current members, at
 * the first use (map, fault, CPU access or vmap).
 * @buf: the buffer, its reservation lock held.
 *
 * Return: 0 when it has backing; else the error, with the decision saying
 * why.
 */
int cenalloc_ensure_backed(struct cenalloc_buffer *buf)
{
	char why[CENALLOC_REASON_MAX];
	bool fallback = false;
	int ret;

	dma_resv_assert_held(buf->dmabuf->resv);
	if (buf->backing)
		return 0;
	ret = cenalloc_backing_alloc(buf, CENALLOC_ZEROED, &buf->backing,
				     &fallback, why, sizeof(why));
	if (ret) {
		cenalloc_decide(buf, ret, "%s", why);
		return ret;
	}
	buf->note_fallback = fallback;
	cenalloc_note(buf, CENALLOC_NOTE_BACKED);
	return 0;
}

static int cenalloc_attach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_member *m;
	struct cen_constraints old_merged;
	struct cen_why why = {};
	char text[128];
	int ret;

	m = cenalloc_member_alloc();
	if (!m)
		return -ENOMEM;
	cenalloc_resolve_device(attach->dev, &m->c);
	strscpy(m->name, dev_name(attach->dev), sizeof(m->name));
	if (attach->dev->driver)
		strscpy(m->driver, attach->dev->driver->name,
			sizeof(m->driver));
	if (cenalloc_attach_is_dynamic(attach))
		m->flags |= CENALLOC_ATT_DYNAMIC;
	m->attach = attach;

	dma_resv_lock(dmabuf->resv, NULL);
	ret = -E2BIG;
	if (buf->nr_members >= CENALLOC_MAX_MEMBERS) {
		cenalloc_decide(buf, ret, "refused %s: too many members",
				m->name);
		goto fail;
	}
	old_merged = buf->merged;
	list_add_tail(&m->node, &buf->members);
	buf->nr_members++;
	ret = cenalloc_remerge(buf, &why);
	if (ret == -ENOMEM) {
		cenalloc_decide(buf, ret, "refused %s: out of memory", m->name);
		goto unlink;
	} else if (ret) {
		cen_why_format_offsets(&why, text, sizeof(text));
		cenalloc_decide(buf, ret, "refused %s: %s (member %s)",
				m->name, text,
				cenalloc_member_name(buf, why.member));
		goto unlink;
	}
	if (buf->backing && cenalloc_backing_fits(buf->backing, &m->c, &why)) {
		/* Late and stricter: the backing moves or the attach fails. */
		cen_why_format_offsets(&why, text, sizeof(text));
		ret = cenalloc_migrate(buf, m, text);
		if (ret)
			goto unlink;
	} else {
		/* @m is the last member until the next decision. */
		cenalloc_note(buf, CENALLOC_NOTE_ATTACHED);
	}
	attach->priv = m;
	trace_cenalloc_attach(buf->id, m->name, m->c.max_segments,
			      m->c.addr_limit, 0);
	dma_resv_unlock(dmabuf->resv);
	return 0;

unlink:
	list_del(&m->node);
	buf->nr_members--;
	buf->merged = old_merged;	/* as it was, without allocating */
fail:
	trace_cenalloc_attach(buf->id, m->name, m->c.max_segments,
			      m->c.addr_limit, ret);
	dma_resv_unlock(dmabuf->resv);
	kfree(m);
	return ret;
}

static void cenalloc_detach(struct dma_buf *dmabuf,
			    struct dma_buf_attachment *attach)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_member *m = attach->priv;

	dma_resv_lock(dmabuf->resv, NULL);
	list_del(&m->node);
	buf->nr_members--;
	/*
	 * Without memory for it the merged set stays as it was: stricter
	 * than the members now, for display only (allocations solve from
	 * the members themselves).
	 */
	cenalloc_remerge(buf, NULL);
	/*
	 * An importer whose map failed detaches at once (vb2, DRM PRIME):
	 * the failure stays the last reason, as it says why it left.
	 */
	if (!buf->last_error)
		cenalloc_decide(buf, 0, "detached %s", m->name);
	dma_resv_unlock(dmabuf->resv);
	kfree(m);
}

/* Dynamic buffers: a pinned mapping must stay where it is. */
static int cenalloc_pin(struct dma_buf_attachment *attach)
{
	struct cenalloc_member *m = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	m->pins++;
	return 0;
}

static void cenalloc_unpin(struct dma_buf_attachment *attach)
{
	struct cenalloc_member *m = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!WARN_ON(!m->pins))
		m->pins--;
}

static void cenalloc_release(struct dma_buf *dmabuf)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_member *m, *tmp;

	mutex_lock(&cenalloc_buffers_lock);
	list_del(&buf->node);
	mutex_unlock(&cenalloc_buffers_lock);

	if (buf->backing)
		cenalloc_backing_free(buf->backing);
	/* Every attachment is gone, so is every mapping of a retired one. */
	WARN_ON(!list_empty(&buf->retired));
	list_for_each_entry_safe(m, tmp, &buf->members, node)
		kfree(m);
	mem_cgroup_put(buf->memcg);
	cenalloc_quota_put(buf->quota);
	kfree(buf->last_reason);
	kfree(buf->migration_reason);
	kfree(buf);
}

/*
 * The ops the dma-buf core calls without the reservation lock before 6.2
 * (CENALLOC_CORE_HOLDS_RESV): they take it around the real ones.
 */
static struct sg_table *cenalloc_map_locking(struct dma_buf_attachment *attach,
					     enum dma_data_direction dir)
{
	struct sg_table *sgt;

	dma_resv_lock(attach->dmabuf->resv, NULL);
	sgt = cenalloc_map(attach, dir);
	dma_resv_unlock(attach->dmabuf->resv);
	return sgt;
}

static void cenalloc_unmap_locking(struct dma_buf_attachment *attach,
				   struct sg_table *sgt,
				   enum dma_data_direction dir)
{
	dma_resv_lock(attach->dmabuf->resv, NULL);
	cenalloc_unmap(attach, sgt, dir);
	dma_resv_unlock(attach->dmabuf->resv);
}

static int cenalloc_vmap_locking(struct dma_buf *dmabuf, struct iosys_map *map)
{
	int ret;

	dma_resv_lock(dmabuf->resv, NULL);
	ret = cenalloc_vmap(dmabuf, map);
	dma_resv_unlock(dmabuf->resv);
	return ret;
}

static void cenalloc_vunmap_locking(struct dma_buf *dmabuf,
				    struct iosys_map *map)
{
	dma_resv_lock(dmabuf->resv, NULL);
	cenalloc_vunmap(dmabuf, map);
	dma_resv_unlock(dmabuf->resv);
}

#define CENALLOC_CORE_LOCKED(op) \
	(CENALLOC_CORE_HOLDS_RESV ? cenalloc_##op : cenalloc_##op##_locking)

#define CENALLOC_COMMON_OPS \
	.attach = cenalloc_attach, \
	.detach = cenalloc_detach, \
	.release = cenalloc_release, \
	.mmap = cenalloc_mmap, \
	.vmap = CENALLOC_CORE_LOCKED(vmap), \
	.vunmap = CENALLOC_CORE_LOCKED(vunmap), \
	.begin_cpu_access = cenalloc_begin_cpu, \
	.end_cpu_access = cenalloc_end_cpu

static const struct dma_buf_ops cenalloc_dmabuf_ops = {
	CENALLOC_COMMON_OPS,
	.map_dma_buf = CENALLOC_CORE_LOCKED(map),
	.unmap_dma_buf = CENALLOC_CORE_LOCKED(unmap),
};

/*
 * With pin/unpin the dma-buf core treats the buffer as dynamic: importers
 * with move_notify map lazily under the reservation lock and may be told
 * to let go; the others are mapped and pinned as they attach.
 */
static const struct dma_buf_ops cenalloc_dynamic_ops = {
	CENALLOC_COMMON_OPS,
	.map_dma_buf = cenalloc_map,
	.unmap_dma_buf = cenalloc_unmap,
	.pin = cenalloc_pin,
	.unpin = cenalloc_unpin,
};

/*
 * fdinfo and INFO show the dma-buf core's name; DMA_BUF_SET_NAME may
 * change it later.  Not having one is no failure.
 */
static void cenalloc_set_dmabuf_name(struct dma_buf *dmabuf, const char *name)
{
	char *copy = name && name[0] ? kstrdup(name, GFP_KERNEL) : NULL;

	if (!copy)
		return;
	spin_lock(&dmabuf->name_lock);
	kfree(dmabuf->name);
	dmabuf->name = copy;
	spin_unlock(&dmabuf->name_lock);
}

/* Size and members: may a buffer like this exist at all? */
static int cenalloc_check_new(struct cenalloc_buffer *buf, u64 len)
{
	u64 limit = cenalloc_size_limit();
	struct cen_why why = {};
	char text[128];
	int ret;

	if (len > limit) {
		pr_info_ratelimited("cenalloc: create '%*pE' of %llu bytes refused: above the size limit, %llu bytes (memory, or size_limit_mb)\n",
				    (int)strlen(buf->name), buf->name, len, limit);
		return -E2BIG;
	}
	buf->size = PAGE_ALIGN(len);	/* len is at most the memory size */
	ret = cenalloc_remerge(buf, &why);
	if (ret) {
		const char *member = cenalloc_member_name(buf, why.member);

		cen_why_format_offsets(&why, text, sizeof(text));
		pr_info_ratelimited("cenalloc: create '%*pE' of %llu bytes refused: %s (member %*pE)\n",
				    (int)strlen(buf->name), buf->name, buf->size,
				    text, (int)strlen(member), member);
	}
	return ret;
}

/**
 * cenalloc_buffer_create() - a new buffer with no memory behind it.
 * @len: bytes, rounded up to pages.
 * @flags: CENALLOC_CREATE_*.
 * @fd_flags: flags of the dma-buf's file.
 * @name: the creator's name for it, shown in INFO, fdinfo and debugfs; may
 *	be empty.  NULL for a dma-heap allocation, whose ABI has no name:
 *	debugfs and the log then say "dma-heap", and the dma-buf has no name
 *	until DMA_BUF_SET_NAME gives one, as the system heap's buffers.
 * @hints: members from creation hints, taken over on success.
 * @nr_hints: entries in @hints.
 *
 * The caller is the creator: its memory cgroup and its quota of scarce
 * memory (RLIMIT_MEMLOCK, none with CAP_IPC_LOCK) pay for the backing,
 * whoever causes the allocation later.
 *
 * Return: the dma-buf, or an ERR_PTR: -EINVAL for a zero size, -E2BIG
 * above the size limit, the solver's error when the hints conflict.
 */
struct dma_buf *cenalloc_buffer_create(u64 len, u32 flags, u32 fd_flags,
				       const char *name,
				       struct list_head *hints, u32 nr_hints)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct cenalloc_buffer *buf;
	struct dma_buf *dmabuf;
	int ret;

	if (!len)
		return ERR_PTR(-EINVAL);
	if (cenalloc_should_fail(CENALLOC_FAIL_CREATE))
		return ERR_PTR(-ENOMEM);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL_ACCOUNT);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	strscpy(buf->name, name ?: "dma-heap", sizeof(buf->name));
	INIT_LIST_HEAD(&buf->members);
	INIT_LIST_HEAD(&buf->retired);
	buf->dynamic = flags & CENALLOC_CREATE_DYNAMIC;
	list_splice_init(hints, &buf->members);
	buf->nr_members = nr_hints;
	cen_constraints_init(&buf->merged);
	ret = cenalloc_check_new(buf, len);
	if (ret)
		goto fail;
	buf->creator = current_uid();
	buf->scarce_limit = rlimit(RLIMIT_MEMLOCK);
	if (buf->scarce_limit == RLIM_INFINITY)
		buf->scarce_limit = U64_MAX;
	buf->id = atomic64_inc_return(&cenalloc_next_id);
	buf->created_hints = nr_hints;

	exp_info.ops = buf->dynamic ? &cenalloc_dynamic_ops :
				      &cenalloc_dmabuf_ops;
	exp_info.size = buf->size;
	exp_info.flags = fd_flags;
	exp_info.priv = buf;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto fail;
	}
	buf->dmabuf = dmabuf;
	buf->memcg = get_mem_cgroup_from_mm(current->mm);
	cenalloc_set_dmabuf_name(dmabuf, name);
	mutex_lock(&cenalloc_buffers_lock);
	list_add_tail(&buf->node, &cenalloc_buffers);
	mutex_unlock(&cenalloc_buffers_lock);
	trace_cenalloc_create(buf->id, buf->size, nr_hints);
	return dmabuf;

fail:
	cenalloc_quota_put(buf->quota);
	list_splice_init(&buf->members, hints);
	kfree(buf);
	return ERR_PTR(ret);
}

/* Physical addresses: for debugfs, which only root reads. */
static void cenalloc_backing_show(struct seq_file *s,
				  const struct cenalloc_backing *bk)
{
	u32 r;

	if (!bk)
		return;
	seq_puts(s, "  runs:");
	for (r = 0; r < min_t(u32, bk->nr_runs, 16); r++)
		seq_printf(s, " %pa+0x%llx", &bk->runs[r].addr,
			   bk->runs[r].len);
	if (bk->nr_runs > 16)
		seq_printf(s, " ... (%u in all)", bk->nr_runs);
	seq_putc(s, '\n');
}

/**
 * cenalloc_buffer_show() - a buffer's state for debugfs.
 * @s: the seq_file.
 * @buf: the buffer; its reservation lock is taken here.
 */
void cenalloc_buffer_show(struct seq_file *s, struct cenalloc_buffer *buf)
{
	char tmp[CENALLOC_REASON_MAX];
	struct cenalloc_member *m;
	const char *reason;
	int f;

	dma_resv_lock(buf->dmabuf->resv, NULL);
	seq_printf(s, "buffer %llu '%*pE' size %llu%s %s%s migrations %u\n",
		   buf->id, (int)strlen(buf->name), buf->name, buf->size,
		   buf->dynamic ? " dynamic" : "",
		   buf->backing ? "backed by " : "not backed",
		   buf->backing ? buf->backing->backend->desc.name : "",
		   buf->migrations);
	seq_puts(s, "  merged:");
	for (f = 0; f < CEN_F_COUNT; f++)
		if (buf->merged.src[f] != CEN_SRC_NONE)
			seq_printf(s, " %s=0x%llx (%s, member %u)",
				   cen_field_name(f),
				   cen_constraints_get(&buf->merged, f),
				   cen_source_name(buf->merged.src[f]),
				   buf->merged.origin[f]);
	seq_putc(s, '\n');
	list_for_each_entry(m, &buf->members, node) {
		seq_printf(s, "  %s %*pE%s segments %u:",
			   m->flags & CENALLOC_ATT_HINT ? "hint" : "attach",
			   (int)strlen(m->name), m->name,
			   cenalloc_member_flags(buf, m) & CENALLOC_ATT_MAPPED ?
			   " mapped" : "", cenalloc_member_segments(buf, m));
		for (f = 0; f < CEN_F_COUNT; f++)
			if (m->c.src[f] != CEN_SRC_NONE)
				seq_printf(s, " %s=0x%llx (%s)",
					   cen_field_name(f),
					   cen_constraints_get(&m->c, f),
					   cen_source_name(m->c.src[f]));
		seq_putc(s, '\n');
	}
	reason = cenalloc_last_reason(buf, tmp, sizeof(tmp));
	seq_printf(s, "  last: %d %*pE\n", buf->last_error,
		   (int)strlen(reason), reason);
	if (buf->migration_reason)
		seq_printf(s, "  last migration: %*pE\n",
			   (int)strlen(buf->migration_reason),
			   buf->migration_reason);
	cenalloc_backing_show(s, buf->backing);
	dma_resv_unlock(buf->dmabuf->resv);
}
