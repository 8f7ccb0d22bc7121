// SPDX-License-Identifier: GPL-2.0
/*
 * How devices and CPUs reach a buffer's memory: one scatterlist per device
 * mapping, split by that device's own rules; CPU access bracketed by cache
 * maintenance for every device mapping; mmap as PFN mappings a fault
 * handler fills, so a migration can move the pages under them (filled at
 * once where the memory already exists or the caller's access allocates
 * it); vmap.
 *
 * Cache maintenance follows the DMA API to the letter, because on arm64
 * SoCs devices without dma-coherent see memory, not the CPU's caches:
 * every device mapping is made with its own full sync (whatever other
 * devices did before: one of them may have been coherent), CPU access
 * syncs each mapping in the direction it was made with, and a move syncs
 * the old memory for the CPU before copying it.
 */
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cenalloc_compat.h"
#include "cenalloc_internal.h"

/*
 * Segments become scatterlist entries no longer than the DMA API says the
 * device takes and not crossing its boundary, whichever backend made
 * them: dma_get_max_seg_size() is 64 KiB for a device without dma_parms,
 * which the constraint model does not assume (it would make every
 * contiguous device without dma_parms refuse large buffers).  A contiguous
 * segment split this way stays contiguous, which is what such devices
 * check.
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

/* Walk @bk's runs split by @c's rules and @dev's DMA limits into @f. */
static int cenalloc_sg_walk(const struct cenalloc_backing *bk,
			    const struct cen_constraints *c,
			    struct cenalloc_sg_fill *f)
{
	u32 r;
	int ret = 0;

	for (r = 0; r < bk->nr_runs && !ret; r++)
		ret = cen_split_chunk(c, bk->runs[r].addr, bk->runs[r].len,
				      r + 1 == bk->nr_runs, PAGE_SHIFT,
				      cenalloc_sg_emit, f);
	return ret;
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
	int ret;

	if (cenalloc_sg_walk(bk, c, &f))
		return ERR_PTR(-EINVAL);
	if (cenalloc_should_fail(CENALLOC_FAIL_MAP))
		return ERR_PTR(-ENOMEM);
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
	cenalloc_sg_walk(bk, c, &f);
	map->backing = bk;
	return map;
}

/*
 * Map for the device with full cache maintenance for it.  When another
 * mapping of the same pages exists, the overlap is intended (a shared
 * buffer), which DMA_ATTR_SKIP_CPU_SYNC tells DMA-API debugging; the sync
 * it skips is then done explicitly, so this device gets the same
 * maintenance as the first one did.
 */
static int cenalloc_dma_map(struct device *dev, struct cenalloc_mapping *map)
{
	bool overlaps = map->backing->maps > 0;
	int ret;

	ret = dma_map_sgtable(dev, &map->sgt, map->dir,
			      overlaps ? DMA_ATTR_SKIP_CPU_SYNC : 0);
	if (!ret && overlaps)
		dma_sync_sgtable_for_device(dev, &map->sgt, map->dir);
	return ret;
}

/*
 * The first use allocated the backing and then failed: give the memory
 * back, so a failed call leaves the buffer as it was.  Nobody else can
 * have seen it: the resv lock was held since (user faults take it too).
 */
static void cenalloc_unback_fresh(struct cenalloc_buffer *buf, bool fresh,
				  int err, const char *what)
{
	if (!fresh || !buf->backing)
		return;
	cenalloc_backing_free(buf->backing);
	buf->backing = NULL;
	cenalloc_decide(buf, err, "%s failed (%d) after allocating; the memory is given back",
			what, err);
}

/**
 * cenalloc_map() - dma_buf_ops.map_dma_buf: back the buffer if it is not
 * yet, then map it for the attachment's device.
 * @attach: the attachment.
 * @dir: the direction of the mapping.
 *
 * The dma-buf core calls this with the reservation lock held.
 *
 * Return: the device's sg_table, or an ERR_PTR.
 */
struct sg_table *cenalloc_map(struct dma_buf_attachment *attach,
			      enum dma_data_direction dir)
{
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_member *m = attach->priv;
	bool fresh = !buf->backing;
	struct cenalloc_mapping *map;
	int ret;

	dma_resv_assert_held(attach->dmabuf->resv);
	if (!valid_dma_direction(dir))
		return ERR_PTR(-EINVAL);
	ret = cenalloc_ensure_backed(buf);
	if (ret)
		return ERR_PTR(ret);
	map = cenalloc_build_mapping(buf->backing, &m->c, attach->dev);
	if (IS_ERR(map)) {
		cenalloc_unback_fresh(buf, fresh, PTR_ERR(map), "mapping");
		return ERR_CAST(map);
	}
	map->dir = dir;
	ret = cenalloc_dma_map(attach->dev, map);
	if (ret) {
		sg_free_table(&map->sgt);
		kfree(map);
		cenalloc_unback_fresh(buf, fresh, ret, "mapping");
		return ERR_PTR(ret);
	}
	buf->backing->maps++;
	list_add_tail(&map->node, &m->maps);
	return &map->sgt;
}

/**
 * cenalloc_unmap() - dma_buf_ops.unmap_dma_buf.
 * @attach: the attachment.
 * @sgt: a mapping cenalloc_map() gave it.
 * @dir: its direction.
 *
 * The dma-buf core calls this with the reservation lock held.  A mapping
 * of a backing that has since been replaced (a dynamic importer let go of
 * it only now) frees that backing with its last mapping.
 */
void cenalloc_unmap(struct dma_buf_attachment *attach, struct sg_table *sgt,
		    enum dma_data_direction dir)
{
	struct cenalloc_mapping *map = container_of(sgt, typeof(*map), sgt);
	struct cenalloc_buffer *buf = attach->dmabuf->priv;
	struct cenalloc_backing *bk = map->backing;

	dma_resv_assert_held(attach->dmabuf->resv);
	/* Unmap always syncs: the CPU must see what this device wrote. */
	dma_unmap_sgtable(attach->dev, sgt, map->dir, 0);
	sg_free_table(sgt);
	list_del(&map->node);
	kfree(map);
	if (!--bk->maps && bk != buf->backing) {
		list_del(&bk->retired);
		cenalloc_backing_free(bk);
	}
}

/**
 * cenalloc_sync_mappings() - sync every device mapping of a backing.
 * @buf: the buffer, its reservation lock held.
 * @bk: the backing whose mappings to sync.
 * @for_cpu: towards the CPU (before it reads) or the devices (after it
 *	wrote).
 *
 * Each mapping is synced in the direction it was made with, which is what
 * the DMA API requires and what decides the cache operation.
 */
void cenalloc_sync_mappings(struct cenalloc_buffer *buf,
			    struct cenalloc_backing *bk, bool for_cpu)
{
	struct cenalloc_mapping *map;
	struct cenalloc_member *m;

	dma_resv_assert_held(buf->dmabuf->resv);
	list_for_each_entry(m, &buf->members, node) {
		list_for_each_entry(map, &m->maps, node) {
			if (map->backing != bk)
				continue;
			if (for_cpu)
				dma_sync_sgtable_for_cpu(m->attach->dev,
							 &map->sgt, map->dir);
			else
				dma_sync_sgtable_for_device(m->attach->dev,
							    &map->sgt,
							    map->dir);
		}
	}
}

/*
 * Pages mapped per fault: the faulting page's aligned window of 2 MiB
 * (with 4 KiB pages), clipped to the VMA and the buffer.  A program that
 * writes a frame touches every page in order; one fault per page cost more
 * than the allocation itself (the system heap maps everything at mmap).
 * A window, not the whole buffer, keeps a fault's work bounded for huge
 * buffers touched sparsely.
 */
#define CENALLOC_FAULT_WINDOW	512UL

/* The user address of page @pgoff of the buffer in @vma. */
static unsigned long cenalloc_vma_addr(const struct vm_area_struct *vma,
				       unsigned long pgoff)
{
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

struct cenalloc_pte_fill {
	struct vm_area_struct *vma;
	const struct cenalloc_backing *bk;
};

/* apply_to_page_range() callback: one PTE, under its page table's lock. */
static int cenalloc_fill_pte(pte_t *pte, unsigned long addr, void *data)
{
	const struct cenalloc_pte_fill *f = data;
	struct vm_area_struct *vma = f->vma;
	unsigned long pgoff = vma->vm_pgoff +
			      ((addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long pfn = page_to_pfn(f->bk->pages[pgoff]);

	/* A page mapped meanwhile (a fault of another thread) stays. */
	if (!pte_none(ptep_get(pte)))
		return 0;
	set_pte_at(vma->vm_mm, addr, pte,
		   pte_mkspecial(pfn_pte(pfn, vma->vm_page_prot)));
	update_mmu_cache(vma, addr, pte);
	return 0;
}

/*
 * Map pages [@first, @last) of the backing into @vma, leaving any page
 * already mapped as it is; the resv lock and @vma's mm (or the VMA) are
 * held.  Return: NOPAGE, or the error of the first page that failed.
 *
 * On x86 System RAM is mapped as remap_pfn_range() maps it: special PTEs
 * with the VMA's protection, a page table at a time.  That is what
 * vmf_insert_pfn() writes too, after a memory-type lookup per page (PAT:
 * write-back for RAM, as the protection says already) and a page-table
 * walk per page, which made filling 64 MiB cost more than the system
 * heap's remap.  A carveout is not RAM: vmf_insert_pfn() asks PAT.
 */
static vm_fault_t cenalloc_insert_pages(struct vm_area_struct *vma,
					const struct cenalloc_backing *bk,
					unsigned long first,
					unsigned long last)
{
	struct cenalloc_pte_fill f = { .vma = vma, .bk = bk };
	unsigned long pgoff;
	vm_fault_t ret;

	if (first >= last)
		return VM_FAULT_NOPAGE;
	if (CENALLOC_FILL_RAM_PTES && bk->backend->ram)
		return apply_to_page_range(vma->vm_mm,
					   cenalloc_vma_addr(vma, first),
					   (last - first) << PAGE_SHIFT,
					   cenalloc_fill_pte, &f) ?
		       VM_FAULT_OOM : VM_FAULT_NOPAGE;
	for (pgoff = first; pgoff < last; pgoff++) {
		ret = vmf_insert_pfn(vma, cenalloc_vma_addr(vma, pgoff),
				     page_to_pfn(bk->pages[pgoff]));
		if (ret != VM_FAULT_NOPAGE)
			return ret;
	}
	return VM_FAULT_NOPAGE;
}

/* Map @vmf's window of the current backing; the resv lock is held. */
static vm_fault_t cenalloc_fault_window(struct vm_fault *vmf,
					struct cenalloc_buffer *buf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long first = ALIGN_DOWN(vmf->pgoff, CENALLOC_FAULT_WINDOW);
	unsigned long last = first + CENALLOC_FAULT_WINDOW;
	vm_fault_t ret;

	first = max(first, vma->vm_pgoff);
	last = min(last, vma->vm_pgoff + vma_pages(vma));
	/* The faulting page first: its result is the fault's. */
	ret = cenalloc_insert_pages(vma, buf->backing, vmf->pgoff,
				    vmf->pgoff + 1);
	if (ret == VM_FAULT_NOPAGE)
		cenalloc_insert_pages(vma, buf->backing, first, last);
	return ret;
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
	if (cenalloc_ensure_backed(buf))
		ret = VM_FAULT_SIGBUS;
	else
		ret = cenalloc_fault_window(vmf, buf);
	dma_resv_unlock(buf->dmabuf->resv);
	return ret;
}

static const struct vm_operations_struct cenalloc_vm_ops = {
	.fault = cenalloc_fault,
};

/* Map every page @vma shows of the current backing; resv lock held. */
static void cenalloc_populate(struct vm_area_struct *vma,
			      struct cenalloc_buffer *buf)
{
	/* A failure is not the caller's: the fault handler retries. */
	cenalloc_insert_pages(vma, buf->backing, vma->vm_pgoff,
			      vma->vm_pgoff + vma_pages(vma));
}

/*
 * Map the pages into every view @mm has of the buffer.  @mm is read-locked
 * by the caller, so a VMA found is stable; one that is no longer a mapping
 * of this buffer (unmapped, moved, replaced) is left alone.
 */
static void cenalloc_map_views(struct cenalloc_buffer *buf,
			       struct mm_struct *mm)
{
	struct vm_area_struct *vma;
	u32 i;

	mmap_assert_locked(mm);
	dma_resv_assert_held(buf->dmabuf->resv);
	for (i = 0; i < CENALLOC_VIEWS; i++) {
		if (buf->views[i].mm != mm)
			continue;
		vma = vma_lookup(mm, buf->views[i].start);
		if (vma && vma->vm_ops == &cenalloc_vm_ops &&
		    vma->vm_private_data == buf)
			cenalloc_populate(vma, buf);
	}
}

/*
 * The caller's mm, read-locked, when this access may allocate: the pages
 * are then mapped into its views at once.  Only a trylock: mmap_lock
 * comes before the resv lock, and a kernel caller may hold it already.
 */
static struct mm_struct *cenalloc_lock_caller_mm(struct cenalloc_buffer *buf)
{
	struct mm_struct *mm = current->mm;

	if (!mm || READ_ONCE(buf->backing) || !mmap_read_trylock(mm))
		return NULL;
	return mm;
}

static int cenalloc_cpu_access(struct dma_buf *dmabuf, bool begin)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	struct mm_struct *mm = begin ? cenalloc_lock_caller_mm(buf) : NULL;
	bool fresh;
	int ret;

	dma_resv_lock(dmabuf->resv, NULL);
	fresh = !buf->backing;
	/* The first CPU access allocates, like the first map. */
	ret = cenalloc_ensure_backed(buf);
	if (ret)
		goto out;
	if (fresh && mm)
		cenalloc_map_views(buf, mm);
	if (buf->vmap_count && begin)
		invalidate_kernel_vmap_range(buf->vaddr, buf->size);
	if (buf->vmap_count && !begin)
		flush_kernel_vmap_range(buf->vaddr, buf->size);
	cenalloc_sync_mappings(buf, buf->backing, begin);
out:
	dma_resv_unlock(dmabuf->resv);
	if (mm)
		mmap_read_unlock(mm);
	return ret;
}

/**
 * cenalloc_begin_cpu() - dma_buf_ops.begin_cpu_access.
 * @dmabuf: the buffer.
 * @dir: what the CPU is about to do; every device mapping is synced in its
 *	own direction regardless, since that is what the DMA API checks.
 *
 * Return: 0, or the error of allocating the backing.
 */
int cenalloc_begin_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	return cenalloc_cpu_access(dmabuf, true);
}

/**
 * cenalloc_end_cpu() - dma_buf_ops.end_cpu_access.
 * @dmabuf: the buffer.
 * @dir: what the CPU did (see cenalloc_begin_cpu()).
 *
 * Return: 0, or the error of allocating the backing.
 */
int cenalloc_end_cpu(struct dma_buf *dmabuf, enum dma_data_direction dir)
{
	return cenalloc_cpu_access(dmabuf, false);
}

/**
 * cenalloc_mmap() - dma_buf_ops.mmap: a shared PFN mapping that faults
 * pages in from the current backing.
 * @dmabuf: the buffer.
 * @vma: the user's mapping; the dma-buf core has checked its range.
 *
 * A private mapping is refused: a copy-on-write PFN mapping is not
 * something the fault handler can serve (the core mm BUGs on it), and a
 * private copy of a shared buffer is meaningless anyway.  A shared mapping
 * of a read-only fd has VM_MAYSHARE without VM_SHARED, and is fine.
 *
 * The mapping is remembered as a view, so that the first CPU access maps
 * its pages when it allocates them; a buffer that has memory already is
 * mapped whole now, as the system heap does.  The caller holds mmap_lock,
 * which comes before the resv lock.
 *
 * Return: 0 or -EINVAL.
 */
int cenalloc_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct cenalloc_buffer *buf = dmabuf->priv;

	if (!(vma->vm_flags & (VM_SHARED | VM_MAYSHARE)))
		return -EINVAL;
	if (vma->vm_pgoff + vma_pages(vma) > buf->size >> PAGE_SHIFT)
		return -EINVAL;
	/*
	 * PFN mappings are never pinned by GUP, so the pages can move: a
	 * migration zaps them and the next access faults the new ones in.
	 */
	cenalloc_vm_flags_set(vma, VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP);
	vma->vm_ops = &cenalloc_vm_ops;
	vma->vm_private_data = buf;

	dma_resv_lock(dmabuf->resv, NULL);
	buf->views[buf->next_view] = (struct cenalloc_view){
		.mm = vma->vm_mm, .start = vma->vm_start,
	};
	buf->next_view = (buf->next_view + 1) % CENALLOC_VIEWS;
	if (buf->backing)
		cenalloc_populate(vma, buf);
	dma_resv_unlock(dmabuf->resv);
	return 0;
}

/**
 * cenalloc_vmap() - dma_buf_ops.vmap: one kernel mapping, counted.
 * @dmabuf: the buffer, its reservation lock held.
 * @map: filled with the kernel address.
 *
 * Return: 0, or the error of allocating the backing or mapping it.
 */
int cenalloc_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct cenalloc_buffer *buf = dmabuf->priv;
	bool fresh = !buf->backing;
	int ret;

	dma_resv_assert_held(dmabuf->resv);
	ret = cenalloc_ensure_backed(buf);
	if (ret)
		return ret;
	if (!buf->vmap_count) {
		buf->vaddr = cenalloc_backing_vmap(buf->backing);
		if (!buf->vaddr) {
			cenalloc_unback_fresh(buf, fresh, -ENOMEM, "vmap");
			return -ENOMEM;
		}
	}
	buf->vmap_count++;
	iosys_map_set_vaddr(map, buf->vaddr);
	return 0;
}

/**
 * cenalloc_vunmap() - dma_buf_ops.vunmap.
 * @dmabuf: the buffer, its reservation lock held.
 * @map: what cenalloc_vmap() gave.
 */
void cenalloc_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct cenalloc_buffer *buf = dmabuf->priv;

	dma_resv_assert_held(dmabuf->resv);
	if (!--buf->vmap_count) {
		vunmap(buf->vaddr);
		buf->vaddr = NULL;
	}
	iosys_map_clear(map);
}

/**
 * cenalloc_backing_vmap() - a kernel mapping of a whole backing.
 * @bk: the backing (carveout pages included).
 *
 * Return: the address, or NULL without vmalloc space.
 */
void *cenalloc_backing_vmap(const struct cenalloc_backing *bk)
{
	if (cenalloc_should_fail(CENALLOC_FAIL_VMAP))
		return NULL;
	return vmap(bk->pages, bk->size >> PAGE_SHIFT, VM_MAP, PAGE_KERNEL);
}
