// SPDX-License-Identifier: GPL-2.0
/*
 * The buffer object and its dma_buf_ops: delayed allocation, one
 * scatterlist per attachment split by that device's own rules, mmap through
 * a fault handler, vmap and CPU access.
 */
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cenalloc_api.h"
#include "cenalloc_internal.h"
#include "cenalloc_trace.h"

static atomic64_t cenalloc_next_id = ATOMIC64_INIT(0);
static const struct dma_buf_ops cenalloc_dmabuf_ops;
static const struct dma_buf_ops cenalloc_dynamic_ops;

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

void cenalloc_decide(struct cenalloc_buffer *buf, int err, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vsnprintf(buf->last_reason, sizeof(buf->last_reason), fmt, args);
	va_end(args);
	buf->last_error = err;
	if (err)
		pr_info_ratelimited("cenalloc: buffer %llu (%s): %s\n",
				    buf->id, buf->name, buf->last_reason);
	trace_cenalloc_decision(buf->id, err, buf->last_reason);
}

/* The members as an array, in list order (the indices origins refer to). */
static struct cen_constraints *cenalloc_members_array(struct cenalloc_buffer *buf,
						      u32 *n)
{
	struct cen_constraints *arr;
	struct cenalloc_member *m;
	u32 i = 0;

	arr = kmalloc_array(max_t(u32, buf->nr_members, 1), sizeof(*arr),
			    GFP_KERNEL);
	if (!arr)
		return NULL;
	list_for_each_entry(m, &buf->members, node)
		arr[i++] = m->c;
	*n = i;
	return arr;
}

const char *cenalloc_member_name(struct cenalloc_buffer *buf, u32 idx)
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
	if (ret)
		f->why.member = f->count - 1;
	return ret;
}

/* Does @bk, split by @c's rules, give the device segments it accepts? */
int cenalloc_backing_fits(const struct cenalloc_backing *bk,
			  const struct cen_constraints *c, struct cen_why *why)
{
	struct cenalloc_fit f = { .c = c };
	u32 r;
	int ret = 0;

	for (r = 0; r < bk->nr_runs && !ret; r++)
		ret = cen_split_chunk(c, bk->runs[r].addr, bk->runs[r].len,
				      r + 1 == bk->nr_runs, PAGE_SHIFT,
				      cenalloc_fit_emit, &f);
	if (ret && !f.why.code) {
		f.why.code = CEN_R_SEG_MISALIGNED;
		f.why.value = bk->runs[r - 1].addr;
		f.why.limit = c->align;
	}
	if (why)
		*why = f.why;
	return ret;
}

/* A kernel mapping of the whole backing (carveout pages included). */
void *cenalloc_backing_vmap(const struct cenalloc_backing *bk)
{
	return vmap(bk->pages, bk->size >> PAGE_SHIFT, VM_MAP, PAGE_KERNEL);
}

void cenalloc_backing_free(struct cenalloc_backing *bk)
{
	struct cenalloc_backend *be = bk->backend;

	atomic64_sub(bk->size, &be->used);
	be->free(be, bk);
	kfree(bk);
}

/* ": max segments 1 from vivid.0 (default policy), ..." */
static void cenalloc_explain(struct cenalloc_buffer *buf, char *out,
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
}

/**
 * cenalloc_backing_alloc() - allocate backing for a buffer's members.
 * @buf: the buffer, its reservation lock held.
 * @out: the new backing, not yet installed.
 * @fallback: set when the first plan failed and a later one served.
 * @why: on failure, what went wrong, in words.
 * @len: size of @why.
 *
 * Solve for the current members, then try the plans in order until one
 * allocation succeeds and the real memory suits every member.  The memory
 * is charged to the buffer's creator.
 *
 * Return: 0, or -ENOMEM with @why filled in.
 */
int cenalloc_backing_alloc(struct cenalloc_buffer *buf,
			   struct cenalloc_backing **out, bool *fallback,
			   char *why, size_t len)
{
	/* Off the stack: this runs deep in importers' call chains. */
	struct cenalloc_solve_scratch {
		struct cen_solution sol;
		struct cen_backend_desc descs[CEN_MAX_BACKENDS];
		char text[CENALLOC_REASON_MAX];
	} *scratch;
	struct cen_backend_desc *descs;
	struct cenalloc_backing *bk;
	struct cen_constraints *arr;
	struct mem_cgroup *old_memcg;
	struct cen_solution *sol;
	struct cen_why seg_why;
	char *text;
	u32 n, nb, i, m;
	int ret;

	dma_resv_assert_held(buf->dmabuf->resv);
	scratch = kzalloc(sizeof(*scratch), GFP_KERNEL);
	bk = kzalloc(sizeof(*bk), GFP_KERNEL);
	arr = cenalloc_members_array(buf, &n);
	ret = -ENOMEM;
	if (!scratch || !bk || !arr) {
		strscpy(why, "out of memory for the solver", len);
		goto out;
	}
	sol = &scratch->sol;
	descs = scratch->descs;
	text = scratch->text;

	cenalloc_backend_descs(descs, &nb);
	ret = cen_solve_members(arr, n, buf->size, PAGE_SHIFT, descs, nb, sol);
	trace_cenalloc_solve(buf->id, n, sol->n_plans, ret);
	if (ret) {
		cen_why_format(&sol->why, text, CENALLOC_REASON_MAX);
		snprintf(why, len, "cannot back %llu bytes: %s", buf->size,
			 text);
		for (i = 0; i < nb; i++) {
			cen_why_format(&sol->rejected[i], text, CENALLOC_REASON_MAX);
			pr_info_ratelimited("cenalloc: buffer %llu: %s: %s\n",
					    buf->id, descs[i].name, text);
		}
		ret = -ENOMEM;
		goto out;
	}

	/*
	 * Charge the creator, not whoever happens to fault, map or attach
	 * first: the buffer is the creator's.
	 */
	old_memcg = set_active_memcg(buf->memcg);
	for (i = 0; i < sol->n_plans; i++) {
		const struct cen_plan *p = &sol->plans[i];
		struct cenalloc_backend *be = cenalloc_backend_get(p->backend);
		u64 t0 = ktime_get_ns();

		memset(bk, 0, sizeof(*bk));
		bk->size = buf->size;
		bk->backend = be;
		ret = be->alloc(be, bk, p);
		trace_cenalloc_allocate(buf->id, be->desc.name, buf->size,
					bk->nr_runs, ret,
					ktime_get_ns() - t0);
		if (ret) {
			atomic64_inc(&be->failures);
			snprintf(text, CENALLOC_REASON_MAX, "%s: no memory (%d)",
				 be->desc.name, ret);
			continue;
		}
		/* The real addresses may differ from the worst case. */
		for (m = 0; m < n; m++)
			if (cenalloc_backing_fits(bk, &arr[m], &seg_why))
				break;
		if (m < n) {
			char seg[64];

			cen_why_format(&seg_why, seg, sizeof(seg));
			snprintf(text, CENALLOC_REASON_MAX,
				 "%s: memory at %pa does not suit %s: %s",
				 be->desc.name, &bk->runs[0].addr,
				 cenalloc_member_name(buf, m), seg);
			be->free(be, bk);
			atomic64_inc(&be->failures);
			ret = -ENOMEM;
			continue;
		}
		atomic64_add(bk->size, &be->used);
		atomic64_inc(&be->allocations);
		if (fallback)
			*fallback = i > 0;
		*out = bk;
		bk = NULL;
		break;
	}
	set_active_memcg(old_memcg);
	if (ret)
		snprintf(why, len,
			 "every feasible backend failed to allocate %llu bytes, last %s",
			 buf->size, text);
out:
	kfree(arr);
	kfree(bk);
	kfree(scratch);
	return ret;
}

/* Back the buffer for its current members, at the first use. */
static int cenalloc_ensure_backed(struct cenalloc_buffer *buf)
{
	char why[CENALLOC_REASON_MAX];
	bool fallback = false;
	int ret;

	dma_resv_assert_held(buf->dmabuf->resv);
	if (buf->backing)
		return 0;
	ret = cenalloc_backing_alloc(buf, &buf->backing, &fallback, why,
				     sizeof(why));
	if (ret) {
		cenalloc_decide(buf, ret, "%s", why);
		return ret;
	}
	cenalloc_explain(buf, why, sizeof(why));
	cenalloc_decide(buf, 0, "%s, %u run(s), %u member(s)%s%s",
			buf->backing->backend->desc.name,
			buf->backing->nr_runs, buf->nr_members,
			fallback ? ", after fallback" : "", why);
	return 0;
}

/*
 * Segments become scatterlist entries no longer than the DMA API says the
 * device takes and not crossing its boundary.  That is the segment itself
 * unless the device never set dma_parms: then the DMA API assumes 64 KiB,
 * which the constraint model does not (it would make every contiguous
 * device without dma_parms refuse large buffers).  A contiguous segment
 * split this way stays contiguous, which is what such devices check.
 */
struct cenalloc_sg_fill {
	struct scatterlist *sg;	/* NULL: only count */
	u32 count;
	u64 max_len;
	u64 boundary;
};

static int cenalloc_sg_emit(void *ctx, u64 addr, u64 len)
{
	struct cenalloc_sg_fill *f = ctx;

	while (len) {
		u64 room = f->boundary - (addr & f->boundary) + 1;
		u64 n = min3(len, f->max_len, room ? room : len);

		if (f->sg) {
			sg_set_page(f->sg, pfn_to_page(PHYS_PFN(addr)), n, 0);
			f->sg = sg_next(f->sg);
		}
		f->count++;
		addr += n;
		len -= n;
	}
	return 0;
}

/* The scatterlist @dev, with constraints @c, sees of the backing. */
static struct cenalloc_mapping *
cenalloc_build_mapping(struct cenalloc_backing *bk,
		       const struct cen_constraints *c, struct device *dev)
{
	struct cenalloc_sg_fill f = {
		/* Whole pages: an sg entry of a page-backed buffer. */
		.max_len = max_t(u64, rounddown(dma_get_max_seg_size(dev),
						PAGE_SIZE), PAGE_SIZE),
		.boundary = dma_get_seg_boundary(dev),
	};
	struct cenalloc_mapping *map;
	u32 r;
	int ret = 0;

	for (r = 0; r < bk->nr_runs && !ret; r++)
		ret = cen_split_chunk(c, bk->runs[r].addr, bk->runs[r].len,
				      r + 1 == bk->nr_runs, PAGE_SHIFT,
				      cenalloc_sg_emit, &f);
	if (ret)
		return ERR_PTR(-EINVAL);
	map = kzalloc(sizeof(*map), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(&map->sgt, f.count, GFP_KERNEL);
	if (ret) {
		kfree(map);
		return ERR_PTR(ret);
	}
	f.sg = map->sgt.sgl;
	f.count = 0;
	for (r = 0; r < bk->nr_runs; r++)
		cen_split_chunk(c, bk->runs[r].addr, bk->runs[r].len,
				r + 1 == bk->nr_runs, PAGE_SHIFT,
				cenalloc_sg_emit, &f);
	map->backing = bk;
	return map;
}

static int cenalloc_attach(struct dma_buf *dmabuf,
			   struct dma_buf_attachment *attach)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_member *m;
	struct cen_why why = {};
	char text[96];
	int ret;

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	cenalloc_resolve_device(attach->dev, &m->c);
	strscpy(m->name, dev_name(attach->dev), sizeof(m->name));
	if (attach->dev->driver)
		strscpy(m->driver, attach->dev->driver->name,
			sizeof(m->driver));
	if (dma_buf_attachment_is_dynamic(attach))
		m->flags |= CENALLOC_ATT_DYNAMIC;
	m->attach = attach;

	dma_resv_lock(dmabuf->resv, NULL);
	ret = -E2BIG;
	if (buf->nr_members >= CENALLOC_MAX_MEMBERS) {
		cenalloc_decide(buf, ret, "refused %s: too many members",
				m->name);
		goto fail;
	}
	list_add_tail(&m->node, &buf->members);
	buf->nr_members++;
	ret = cenalloc_remerge(buf, &why);
	if (ret) {
		cen_why_format(&why, text, sizeof(text));
		cenalloc_decide(buf, ret, "refused %s: %s (member %s)",
				m->name, text,
				cenalloc_member_name(buf, why.member));
		goto unlink;
	}
	if (buf->backing && cenalloc_backing_fits(buf->backing, &m->c, &why)) {
		/* Late and stricter: the backing moves or the attach fails. */
		cen_why_format(&why, text, sizeof(text));
		ret = cenalloc_migrate(buf, m, text);
		if (ret)
			goto unlink;
	} else {
		cenalloc_decide(buf, 0, "attached %s", m->name);
	}
	attach->priv = m;
	trace_cenalloc_attach(buf->id, m->name, m->c.max_segments,
			      m->c.addr_limit, 0);
	dma_resv_unlock(dmabuf->resv);
	return 0;

unlink:
	list_del(&m->node);
	buf->nr_members--;
	/* Fewer members never make the set infeasible. */
	cenalloc_remerge(buf, NULL);
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
	cenalloc_remerge(buf, NULL);
	cenalloc_decide(buf, 0, "detached %s", m->name);
	dma_resv_unlock(dmabuf->resv);
	kfree(m);
}

static struct sg_table *cenalloc_map(struct dma_buf_attachment *attach,
				     enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_member *m = attach->priv;
	struct cenalloc_mapping *map;
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);
	ret = cenalloc_ensure_backed(buf);
	if (ret)
		return ERR_PTR(ret);
	map = cenalloc_build_mapping(buf->backing, &m->c, attach->dev);
	if (IS_ERR(map))
		return ERR_CAST(map);
	/*
	 * Another device already has these pages mapped: its map did the
	 * cache maintenance, and CPU access since then was bracketed by
	 * begin/end_cpu_access, which syncs every mapped attachment.  Doing
	 * it again is redundant, and skipping it tells DMA-API debugging
	 * that the overlap of a shared buffer is intended.  Unmap always
	 * syncs: the CPU must see what this device wrote.
	 */
	ret = dma_map_sgtable(attach->dev, &map->sgt, dir,
			      buf->backing->maps ? DMA_ATTR_SKIP_CPU_SYNC : 0);
	if (ret) {
		sg_free_table(&map->sgt);
		kfree(map);
		return ERR_PTR(ret);
	}
	buf->backing->maps++;
	m->sgt = &map->sgt;
	return &map->sgt;
}

/*
 * The dma-buf core calls this with the reservation lock held.  A mapping
 * of a backing that has since been replaced (a dynamic importer let go of
 * it only now) frees that backing with its last mapping.
 */
static void cenalloc_unmap(struct dma_buf_attachment *attach,
			   struct sg_table *sgt, enum dma_data_direction dir)
{
	struct cenalloc_mapping *map = container_of(sgt, typeof(*map), sgt);
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_backing *bk = map->backing;
	struct cenalloc_member *m = attach->priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(map);
	if (m->sgt == sgt)
		m->sgt = NULL;
	if (!--bk->maps && bk != buf->backing) {
		list_del(&bk->retired);
		cenalloc_backing_free(bk);
	}
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
	kfree(buf);
}

static vm_fault_t cenalloc_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct cenalloc_buffer *buf = vma->vm_private_data;
	vm_fault_t ret;

	if (vmf->pgoff >= buf->size >> PAGE_SHIFT)
		return VM_FAULT_SIGBUS;
	/* mmap_lock, then the resv lock: never the other way round. */
	dma_resv_lock(buf->dmabuf->resv, NULL);
	if (cenalloc_ensure_backed(buf)) {
		ret = VM_FAULT_SIGBUS;
		goto out;
	}
	ret = vmf_insert_pfn(vma, vmf->address,
			     page_to_pfn(buf->backing->pages[vmf->pgoff]));
out:
	dma_resv_unlock(buf->dmabuf->resv);
	return ret;
}

static const struct vm_operations_struct cenalloc_vm_ops = {
	.fault = cenalloc_fault,
};

static int cenalloc_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct cenalloc_buffer *buf = dmabuf->priv;

	if (vma->vm_pgoff + vma_pages(vma) > buf->size >> PAGE_SHIFT)
		return -EINVAL;
	/*
	 * PFN mappings are never pinned by GUP, so the pages can move: a
	 * migration zaps them and the next access faults the new ones in.
	 */
	vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &cenalloc_vm_ops;
	vma->vm_private_data = buf;
	return 0;
}

static int cenalloc_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	int ret;

	dma_resv_assert_held(dmabuf->resv);
	ret = cenalloc_ensure_backed(buf);
	if (ret)
		return ret;
	if (!buf->vmap_count) {
		buf->vaddr = cenalloc_backing_vmap(buf->backing);
		if (!buf->vaddr)
			return -ENOMEM;
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
	return 0;
}

static void cenalloc_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct cenalloc_buffer *buf = dmabuf->priv;

	dma_resv_assert_held(dmabuf->resv);
	if (!--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	iosys_map_clear(map);
}

static int cenalloc_cpu_access(struct dma_buf *dmabuf,
			       enum dma_data_direction dir, bool begin)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct cenalloc_member *m;
	int ret;

	dma_resv_lock(dmabuf->resv, NULL);
	/* The first CPU access allocates, like the first map. */
	ret = cenalloc_ensure_backed(buf);
	if (ret)
		goto out;
	if (buf->vmap_count && begin)
		invalidate_kernel_vmap_range(buf->vaddr, buf->size);
	if (buf->vmap_count && !begin)
		flush_kernel_vmap_range(buf->vaddr, buf->size);
	list_for_each_entry(m, &buf->members, node) {
		if (!m->sgt)
			continue;
		if (begin)
			dma_sync_sgtable_for_cpu(m->attach->dev, m->sgt, dir);
		else
			dma_sync_sgtable_for_device(m->attach->dev, m->sgt,
						    dir);
	}
out:
	dma_resv_unlock(dmabuf->resv);
	return ret;
}

static int cenalloc_begin_cpu(struct dma_buf *dmabuf,
			      enum dma_data_direction dir)
{
	return cenalloc_cpu_access(dmabuf, dir, true);
}

static int cenalloc_end_cpu(struct dma_buf *dmabuf,
			    enum dma_data_direction dir)
{
	return cenalloc_cpu_access(dmabuf, dir, false);
}

#define CENALLOC_COMMON_OPS \
	.attach = cenalloc_attach, \
	.detach = cenalloc_detach, \
	.map_dma_buf = cenalloc_map, \
	.unmap_dma_buf = cenalloc_unmap, \
	.release = cenalloc_release, \
	.mmap = cenalloc_mmap, \
	.vmap = cenalloc_vmap, \
	.vunmap = cenalloc_vunmap, \
	.begin_cpu_access = cenalloc_begin_cpu, \
	.end_cpu_access = cenalloc_end_cpu

static const struct dma_buf_ops cenalloc_dmabuf_ops = {
	CENALLOC_COMMON_OPS,
};

/*
 * With pin/unpin the dma-buf core treats the buffer as dynamic: importers
 * with move_notify map lazily under the reservation lock and may be told
 * to let go; the others are mapped and pinned as they attach.
 */
static const struct dma_buf_ops cenalloc_dynamic_ops = {
	CENALLOC_COMMON_OPS,
	.pin = cenalloc_pin,
	.unpin = cenalloc_unpin,
};

struct dma_buf *cenalloc_buffer_create(u64 len, u32 flags, u32 fd_flags,
				       const char *name,
				       struct list_head *hints, u32 nr_hints)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct cenalloc_buffer *buf;
	struct cen_why why = {};
	struct dma_buf *dmabuf;
	char text[96];
	int ret;

	if (!len || len > U64_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	buf = kzalloc(sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);
	buf->size = PAGE_ALIGN(len);
	buf->id = atomic64_inc_return(&cenalloc_next_id);
	strscpy(buf->name, name, sizeof(buf->name));
	INIT_LIST_HEAD(&buf->members);
	INIT_LIST_HEAD(&buf->retired);
	buf->dynamic = flags & CENALLOC_CREATE_DYNAMIC;
	list_splice_init(hints, &buf->members);
	buf->nr_members = nr_hints;
	cen_constraints_init(&buf->merged);

	ret = cenalloc_remerge(buf, &why);
	if (ret) {
		cen_why_format(&why, text, sizeof(text));
		pr_info_ratelimited("cenalloc: create '%s' of %llu bytes refused: %s (member %s)\n",
				    buf->name, buf->size, text,
				    cenalloc_member_name(buf, why.member));
		goto fail;
	}
	snprintf(buf->last_reason, sizeof(buf->last_reason),
		 "created with %u hint(s), no memory yet", nr_hints);

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
	mutex_lock(&cenalloc_buffers_lock);
	list_add_tail(&buf->node, &cenalloc_buffers);
	mutex_unlock(&cenalloc_buffers_lock);
	trace_cenalloc_create(buf->id, buf->size, nr_hints);
	return dmabuf;

fail:
	list_splice_init(&buf->members, hints);
	kfree(buf);
	return ERR_PTR(ret);
}

void cenalloc_buffer_show(struct seq_file *s, struct cenalloc_buffer *buf)
{
	struct cenalloc_member *m;
	int f;

	dma_resv_lock(buf->dmabuf->resv, NULL);
	seq_printf(s, "buffer %llu '%s' size %llu%s %s%s migrations %u\n",
		   buf->id, buf->name, buf->size,
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
		seq_printf(s, "  %s %s%s segments %u:",
			   m->flags & CENALLOC_ATT_HINT ? "hint" : "attach",
			   m->name, m->sgt ? " mapped" : "",
			   cenalloc_member_segments(m));
		for (f = 0; f < CEN_F_COUNT; f++)
			if (m->c.src[f] != CEN_SRC_NONE)
				seq_printf(s, " %s=0x%llx (%s)",
					   cen_field_name(f),
					   cen_constraints_get(&m->c, f),
					   cen_source_name(m->c.src[f]));
		seq_putc(s, '\n');
	}
	seq_printf(s, "  last: %d %s\n", buf->last_error, buf->last_reason);
	if (buf->migrations)
		seq_printf(s, "  last migration: %s\n", buf->migration_reason);
	dma_resv_unlock(buf->dmabuf->resv);
}
