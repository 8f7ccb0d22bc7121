// SPDX-License-Identifier: GPL-2.0
/*
 * Memory backends, each registered only where it works on the running
 * kernel:
 *   system - pages from anywhere, highest orders first, down to the order
 *            the plan needs;
 *   contig - one physically contiguous buddy allocation;
 *   cma    - one contiguous allocation through the DMA API on a device of
 *            our own (cma_alloc is not exported), where CMA exists;
 *   carveout - a reserved region named by the carveout parameter.
 * Every page is zeroed before anybody can see it and charged to the memory
 * cgroup of the task that caused the allocation.
 */
#include <linux/dma-mapping.h>
#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/vmstat.h>

#include "cenalloc_compat.h"
#include "cenalloc_internal.h"

/*
 * Failures are reported with their reason, so the allocator stays quiet.
 * __GFP_ZERO (cenalloc_clear_gfp()) is the only zeroing: with init_on_alloc
 * (Debian's default) the page allocator clears a page once for both, and
 * no path of cenalloc's clears buddy pages again.
 */
#define CENALLOC_GFP	(GFP_USER | __GFP_ACCOUNT | __GFP_NOWARN)
/*
 * Opportunistic high orders: take what is free, as the system heap does;
 * never reclaim, compact or wake kswapd for them (a failed attempt must
 * cost nothing: the next order down is tried at once).
 */
#define CENALLOC_GFP_OPPORTUNISTIC(gfp)	(((gfp) | __GFP_NORETRY) & \
					 ~__GFP_RECLAIM)
/* An order the plan needs: compact and retry, but fail rather than OOM. */
#define CENALLOC_GFP_NEEDED		__GFP_RETRY_MAYFAIL

enum {
	CENALLOC_SYSTEM, CENALLOC_CONTIG, CENALLOC_CMA, CENALLOC_CARVEOUT,
	CENALLOC_NR_BACKENDS
};

static char *carveout;
module_param(carveout, charp, 0444);
MODULE_PARM_DESC(carveout,
		 "Reserved memory for the carveout backend, <size>@<base> (reserve it first, e.g. memmap=<size>$<base>)");

static struct gen_pool *cenalloc_carveout_pool;
static struct resource *cenalloc_carveout_res;

static struct cenalloc_backend cenalloc_backends[CENALLOC_NR_BACKENDS];
static u32 cenalloc_nr_backends;
static struct platform_device *cenalloc_cma_pdev;

static u64 cenalloc_zone_dma_limit(void)
{
	/* ZONE_DMA: the ISA 16 MiB on x86, the low 4 GiB elsewhere. */
	return IS_ENABLED(CONFIG_X86) ? DMA_BIT_MASK(24) : DMA_BIT_MASK(32);
}

/*
 * The zone modifier to try first for pages at or below @limit, as
 * dma_direct_optimal_gfp_mask() picks it: ZONE_DMA only when the limit is
 * within it, else ZONE_DMA32 even for limits below 4 GiB (most of it
 * usually is, and ZONE_DMA is tiny), checking the pages afterwards.
 * __GFP_HIGHMEM must not be combined with the others (an invalid zone mix).
 */
static gfp_t cenalloc_zone_gfp(u64 limit)
{
	if (limit == U64_MAX || limit >= DMA_BIT_MASK(36))
		return __GFP_HIGHMEM;
	if (IS_ENABLED(CONFIG_ZONE_DMA32) && limit > cenalloc_zone_dma_limit())
		return GFP_DMA32;
	return GFP_DMA;
}

/**
 * cenalloc_plan_is_scarce() - is memory for @plan charged to the quota?
 * @be: the backend of the plan.
 * @plan: the plan.
 *
 * Return: true for contiguous backends and for plans restricted to the low
 * zones, which the whole system shares and few can use instead.
 */
bool cenalloc_plan_is_scarce(const struct cenalloc_backend *be,
			     const struct cen_plan *plan)
{
	return be->desc.kind == CEN_BK_CONTIG ||
	       cenalloc_zone_gfp(plan->addr_limit) != __GFP_HIGHMEM;
}

/*
 * The page array, filled whole before anybody reads it (so not zeroed:
 * that would cost a store per page for nothing): in the backing for a
 * small buffer, else allocated, and the creator's memcg pays for it too
 * (2 MiB of page pointers per GiB).
 */
static int cenalloc_pages_array(struct cenalloc_backing *bk)
{
	u64 pages = bk->size >> PAGE_SHIFT;

	if (pages <= ARRAY_SIZE(bk->inline_pages)) {
		bk->pages = bk->inline_pages;
		return 0;
	}
	bk->pages = kvmalloc_array(pages, sizeof(*bk->pages),
				   GFP_KERNEL_ACCOUNT);
	return bk->pages ? 0 : -ENOMEM;
}

/* Record @n pages starting at @page, in buffer order. */
static void cenalloc_backing_add(struct cenalloc_backing *bk, u64 *filled,
				 struct page *page, u64 n)
{
	u64 i;

	for (i = 0; i < n; i++)
		bk->pages[*filled + i] = cenalloc_nth_page(page, i);
	*filled += n;
}

static bool cenalloc_pages_adjacent(const struct cenalloc_backing *bk, u64 i)
{
	return page_to_pfn(bk->pages[i]) == page_to_pfn(bk->pages[i - 1]) + 1;
}

/*
 * The contiguous runs of the filled page array, in buffer order, in an
 * array of exactly their number (one run: in the backing): a scattered
 * 64 MiB buffer has a dozen, where sizing for the worst case (a run per
 * page) took 256 KiB.
 */
static int cenalloc_backing_runs(struct cenalloc_backing *bk)
{
	u64 pages = bk->size >> PAGE_SHIFT, i;
	struct cenalloc_run *run;
	u32 n = 1;

	for (i = 1; i < pages; i++)
		n += !cenalloc_pages_adjacent(bk, i);
	bk->runs = n == 1 ? &bk->inline_run :
		   kvmalloc_array(n, sizeof(*bk->runs), GFP_KERNEL_ACCOUNT);
	if (!bk->runs)
		return -ENOMEM;
	bk->nr_runs = n;
	run = bk->runs;
	run->addr = page_to_phys(bk->pages[0]);
	run->len = PAGE_SIZE;
	for (i = 1; i < pages; i++) {
		if (!cenalloc_pages_adjacent(bk, i)) {
			run++;
			run->addr = page_to_phys(bk->pages[i]);
			run->len = 0;
		}
		run->len += PAGE_SIZE;
	}
	return 0;
}

static void cenalloc_backing_arrays_free(struct cenalloc_backing *bk)
{
	if (bk->pages != bk->inline_pages)
		kvfree(bk->pages);
	if (bk->runs != &bk->inline_run)
		kvfree(bk->runs);
	bk->pages = NULL;
	bk->runs = NULL;
	bk->nr_runs = 0;
}

/*
 * Free what cenalloc_get_pages() kept that starts at @page: a chunk kept
 * whole is one compound page, freed at once at its head (64 MiB is a few
 * dozen frees, not 16384); a page of a trimmed chunk is alone.
 *
 * Return: the pages freed.
 */
static u64 cenalloc_free_chunk(struct page *page)
{
	u64 nr = compound_nr(page);

	__free_pages(page, compound_order(page));
	return nr;
}

/* Free the first @n pages of the array, and the arrays. */
static void cenalloc_free_pages(struct cenalloc_backing *bk, u64 n)
{
	u64 i;

	for (i = 0; i < n; )
		i += cenalloc_free_chunk(bk->pages[i]);
	cenalloc_backing_arrays_free(bk);
}

/* The arrays of a backing that is one contiguous run from @page. */
static int cenalloc_backing_contiguous(struct cenalloc_backing *bk,
				       struct page *page)
{
	u64 filled = 0;
	int ret;

	ret = cenalloc_pages_array(bk);
	if (ret)
		return ret;
	cenalloc_backing_add(bk, &filled, page, bk->size >> PAGE_SHIFT);
	ret = cenalloc_backing_runs(bk);
	if (ret)
		cenalloc_backing_arrays_free(bk);
	return ret;
}

/* A migration's target is copied over whole: it is not cleared first. */
static gfp_t cenalloc_clear_gfp(const struct cenalloc_backing *bk)
{
	return bk->fill == CENALLOC_OVERWRITTEN ? 0 : __GFP_ZERO;
}

/*
 * 2^order pages with zone and clearing flags @extra, NULL unless all lie
 * at or below @limit.
 */
static struct page *cenalloc_get_zone_pages(unsigned int order, u64 limit,
					    bool must, gfp_t extra)
{
	gfp_t gfp = CENALLOC_GFP | extra;
	struct page *page;

	if (!must)
		gfp = CENALLOC_GFP_OPPORTUNISTIC(gfp);
	else if (order)
		gfp |= CENALLOC_GFP_NEEDED;
	page = alloc_pages(gfp, order);
	if (page && page_to_phys(page) + (PAGE_SIZE << order) - 1 > limit) {
		__free_pages(page, order);
		page = NULL;
	}
	return page;
}

/*
 * The first @keep of 2^order pages below @limit: one compound page when
 * all are kept, else split to order 0 and the rest given back.  ZONE_DMA32
 * pages above a limit below 4 GiB are retried in ZONE_DMA, like dma-direct
 * does.
 */
static struct page *cenalloc_get_pages(const struct cenalloc_backing *bk,
				       unsigned int order, u64 keep,
				       u64 limit, bool must)
{
	gfp_t zone = cenalloc_zone_gfp(limit), extra = cenalloc_clear_gfp(bk);
	struct page *page;
	u64 i;

	if (order && keep == 1ULL << order)
		extra |= __GFP_COMP;
	page = cenalloc_get_zone_pages(order, limit, must, zone | extra);
	if (!page && IS_ENABLED(CONFIG_ZONE_DMA) && zone == GFP_DMA32)
		page = cenalloc_get_zone_pages(order, limit, must,
					       GFP_DMA | extra);
	if (!page || !order || (extra & __GFP_COMP))
		return page;
	split_page(page, order);
	for (i = keep; i < 1ULL << order; i++)
		__free_page(cenalloc_nth_page(page, i));
	return page;
}

static int cenalloc_system_alloc(struct cenalloc_backend *be,
				 struct cenalloc_backing *bk,
				 const struct cen_plan *plan)
{
	unsigned int min_order = get_order(plan->chunk);
	u64 pages = bk->size >> PAGE_SHIFT, filled = 0;
	int ret;

	ret = cenalloc_pages_array(bk);
	if (ret)
		return ret;
	while (filled < pages) {
		u64 left = pages - filled, keep = 0;
		unsigned int order = min_t(unsigned int, CENALLOC_MAX_ORDER,
					   ilog2(left));
		struct page *page = NULL;

		if (order < min_order)
			order = min_order;
		for (; order >= min_order; order--) {
			/* A tail chunk larger than what is left is trimmed. */
			keep = min(left, 1ULL << order);
			page = cenalloc_get_pages(bk, order, keep,
						  plan->addr_limit,
						  order == min_order);
			if (page || !order)
				break;
		}
		if (!page) {
			ret = -ENOMEM;
			goto fail;
		}
		cenalloc_backing_add(bk, &filled, page, keep);
		/* A killed task must not go on compacting for a buffer. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto fail;
		}
		cond_resched();
	}
	ret = cenalloc_backing_runs(bk);
	if (!ret)
		return 0;
fail:
	cenalloc_free_pages(bk, filled);
	return ret;
}

static int cenalloc_contig_alloc(struct cenalloc_backend *be,
				 struct cenalloc_backing *bk,
				 const struct cen_plan *plan)
{
	unsigned int order = get_order(bk->size);
	u64 pages = bk->size >> PAGE_SHIFT, i;
	struct page *page;
	int ret;

	if (order > CENALLOC_MAX_ORDER)
		return -ENOMEM;
	page = cenalloc_get_pages(bk, order, pages, plan->addr_limit, true);
	if (!page)
		return -ENOMEM;
	ret = cenalloc_backing_contiguous(bk, page);
	if (ret)
		for (i = 0; i < pages; )
			i += cenalloc_free_chunk(cenalloc_nth_page(page, i));
	return ret;
}

static void cenalloc_pages_free(struct cenalloc_backend *be,
				struct cenalloc_backing *bk)
{
	cenalloc_free_pages(bk, bk->size >> PAGE_SHIFT);
}

static u64 cenalloc_buddy_free(struct cenalloc_backend *be)
{
	return (u64)si_mem_available() << PAGE_SHIFT;
}

/*
 * cenalloc's own device only stands in to reach CMA through the DMA API;
 * it never writes the memory.  Saying so keeps DMA-API debugging from
 * taking its allocation for a mapping that overlaps the importers' ones.
 */
#define CENALLOC_CMA_DIR	DMA_TO_DEVICE

static int cenalloc_cma_alloc(struct cenalloc_backend *be,
			      struct cenalloc_backing *bk,
			      const struct cen_plan *plan)
{
	struct device *dev = &cenalloc_cma_pdev->dev;
	struct page *page;

	/*
	 * The device's mask is 64 bits, set once at load: buffers share the
	 * device, so a mask per allocation would race.  The area CMA gives
	 * is where it is whatever the mask; the check below refuses it for
	 * a plan it does not suit, and the next plan is tried.
	 */
	page = dma_alloc_pages(dev, bk->size, &bk->dma_handle,
			       CENALLOC_CMA_DIR, GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return -ENOMEM;
	if (page_to_phys(page) + bk->size - 1 > plan->addr_limit ||
	    !IS_ALIGNED(page_to_phys(page), plan->align) ||
	    cenalloc_backing_contiguous(bk, page)) {
		dma_free_pages(dev, bk->size, page, bk->dma_handle,
			       CENALLOC_CMA_DIR);
		return -ENOMEM;
	}
	bk->cma_page = page;
	return 0;
}

static void cenalloc_cma_free(struct cenalloc_backend *be,
			      struct cenalloc_backing *bk)
{
	dma_free_pages(&cenalloc_cma_pdev->dev, bk->size, bk->cma_page,
		       bk->dma_handle, CENALLOC_CMA_DIR);
	cenalloc_backing_arrays_free(bk);
}

static u64 cenalloc_cma_free_bytes(struct cenalloc_backend *be)
{
	return (u64)global_zone_page_state(NR_FREE_CMA_PAGES) << PAGE_SHIFT;
}

static void cenalloc_backend_add(const char *name, u32 kind, u64 max_chunk,
				 u32 cost_rank,
				 int (*alloc)(struct cenalloc_backend *,
					      struct cenalloc_backing *,
					      const struct cen_plan *),
				 void (*free)(struct cenalloc_backend *,
					      struct cenalloc_backing *),
				 u64 (*free_bytes)(struct cenalloc_backend *))
{
	struct cenalloc_backend *be = &cenalloc_backends[cenalloc_nr_backends++];
	struct cen_backend_desc *d = &be->desc;

	strscpy(d->name, name, sizeof(d->name));
	d->kind = kind;
	d->max_chunk = max_chunk;
	d->max_align = max_chunk;
	d->addr_lo = PAGE_SIZE;
	d->addr_hi = U64_MAX;
	d->lowest_limit = cenalloc_zone_dma_limit();
	d->cost_rank = cost_rank;
	/* Pages are cached; importers sync through the DMA API. */
	d->coherency_mask = BIT(CEN_COH_ANY) | BIT(CEN_COH_CACHED);
	be->alloc = alloc;
	be->free = free;
	be->free_bytes = free_bytes;
	be->free_stamp = jiffies - 1;	/* no sample yet */
	be->ram = true;
}

static int cenalloc_carveout_alloc(struct cenalloc_backend *be,
				   struct cenalloc_backing *bk,
				   const struct cen_plan *plan)
{
	struct genpool_data_align align = { .align = plan->align };
	unsigned long addr;
	void *va;

	addr = gen_pool_alloc_algo(cenalloc_carveout_pool, bk->size,
				   gen_pool_first_fit_align, &align);
	if (!addr)
		return -ENOMEM;
	if (addr + bk->size - 1 > plan->addr_limit)
		goto fail;
	/*
	 * Reserved memory is not zeroed by anybody else, and it is outside
	 * the kernel's direct map: zero it through a mapping of its own
	 * (its only zeroing: the page allocator never saw it).
	 */
	if (bk->fill != CENALLOC_OVERWRITTEN) {
		va = memremap(addr, bk->size, MEMREMAP_WB);
		if (!va)
			goto fail;
		memset(va, 0, bk->size);
		memunmap(va);
	}
	if (cenalloc_backing_contiguous(bk, pfn_to_page(PHYS_PFN(addr))))
		goto fail;
	return 0;
fail:
	gen_pool_free(cenalloc_carveout_pool, addr, bk->size);
	return -ENOMEM;
}

static void cenalloc_carveout_free(struct cenalloc_backend *be,
				   struct cenalloc_backing *bk)
{
	gen_pool_free(cenalloc_carveout_pool, bk->runs[0].addr, bk->size);
	cenalloc_backing_arrays_free(bk);
}

static u64 cenalloc_carveout_free_bytes(struct cenalloc_backend *be)
{
	return gen_pool_avail(cenalloc_carveout_pool);
}

/*
 * Take the region named by the carveout parameter: it must be reserved
 * (no System RAM in it, so the page allocator never hands it out) and
 * have struct pages, which the dma-buf paths need.
 */
static int cenalloc_carveout_init(void)
{
	struct cenalloc_backend *be;
	phys_addr_t base;
	char *p = carveout;
	u64 size;

	if (!CENALLOC_CARVEOUT_SUPPORTED) {
		pr_err("cenalloc: carveout refused: devices here may be non-coherent, and cache maintenance cannot reach reserved memory outside the linear map\n");
		return -EOPNOTSUPP;
	}
	size = memparse(p, &p);
	if (*p != '@')
		goto bad;
	base = memparse(p + 1, &p);
	if (*p || !size || !PAGE_ALIGNED(base) || !PAGE_ALIGNED(size))
		goto bad;
	if (region_intersects(base, size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("cenalloc: carveout %s overlaps System RAM: reserve it (memmap=) first\n",
		       carveout);
		return -EINVAL;
	}
	if (!pfn_valid(PHYS_PFN(base)) || !pfn_valid(PHYS_PFN(base + size - 1))) {
		pr_err("cenalloc: carveout %s has no struct pages\n", carveout);
		return -EINVAL;
	}
	cenalloc_carveout_res = request_mem_region(base, size,
						   "cenalloc carveout");
	if (!cenalloc_carveout_res) {
		pr_err("cenalloc: carveout %s is claimed by somebody else\n",
		       carveout);
		return -EBUSY;
	}
	cenalloc_carveout_pool = gen_pool_create(PAGE_SHIFT, -1);
	if (!cenalloc_carveout_pool ||
	    gen_pool_add(cenalloc_carveout_pool, base, size, -1)) {
		if (cenalloc_carveout_pool)
			gen_pool_destroy(cenalloc_carveout_pool);
		cenalloc_carveout_pool = NULL;
		release_mem_region(base, size);
		return -ENOMEM;
	}
	cenalloc_backend_add("carveout", CEN_BK_CONTIG, size, 3,
			     cenalloc_carveout_alloc, cenalloc_carveout_free,
			     cenalloc_carveout_free_bytes);
	be = &cenalloc_backends[cenalloc_nr_backends - 1];
	be->ram = false;
	be->desc.max_align = rounddown_pow_of_two(size);
	be->desc.addr_lo = base;
	be->desc.addr_hi = base + size - 1;
	be->desc.lowest_limit = base + size - 1;
	return 0;
bad:
	pr_err("cenalloc: carveout=%s: expected <size>@<base>, page aligned\n",
	       carveout);
	return -EINVAL;
}

/* The cma backend, when cenalloc's stand-in device can be made. */
static void cenalloc_cma_init(void)
{
	struct cenalloc_backend *be;
	struct platform_device *pdev;

	pdev = platform_device_register_simple("cenalloc-cma",
					       PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(pdev) ||
	    dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64))) {
		pr_warn("cenalloc: no cma backend: cannot set up its device\n");
		if (!IS_ERR(pdev))
			platform_device_unregister(pdev);
		return;
	}
	cenalloc_cma_pdev = pdev;
	cenalloc_backend_add("cma", CEN_BK_CONTIG, U64_MAX, 2,
			     cenalloc_cma_alloc, cenalloc_cma_free,
			     cenalloc_cma_free_bytes);
	be = &cenalloc_backends[cenalloc_nr_backends - 1];
	/* CONFIG_CMA_ALIGNMENT caps the alignment of a CMA chunk. */
	be->desc.max_align = PAGE_SIZE << CENALLOC_CMA_ALIGN_ORDER;
	be->desc.lowest_limit = 0;
}

/**
 * cenalloc_backends_init() - register the backends this kernel supports.
 *
 * Return: 0, or the error of the carveout the module parameter names.
 */
int cenalloc_backends_init(void)
{
	u64 max_buddy = PAGE_SIZE << CENALLOC_MAX_ORDER;
	int ret;

	cenalloc_backend_add("system", CEN_BK_SCATTER, max_buddy, 0,
			     cenalloc_system_alloc, cenalloc_pages_free,
			     cenalloc_buddy_free);
	cenalloc_backend_add("contig", CEN_BK_CONTIG, max_buddy, 1,
			     cenalloc_contig_alloc, cenalloc_pages_free,
			     cenalloc_buddy_free);

	if (IS_ENABLED(CONFIG_DMA_CMA))
		cenalloc_cma_init();
	if (carveout) {
		ret = cenalloc_carveout_init();
		if (ret) {
			cenalloc_backends_exit();
			return ret;
		}
	}
	return 0;
}

/**
 * cenalloc_backends_exit() - unregister the backends; no buffer is alive.
 */
void cenalloc_backends_exit(void)
{
	if (cenalloc_cma_pdev)
		platform_device_unregister(cenalloc_cma_pdev);
	cenalloc_cma_pdev = NULL;
	if (cenalloc_carveout_pool) {
		gen_pool_destroy(cenalloc_carveout_pool);
		cenalloc_carveout_pool = NULL;
		release_mem_region(cenalloc_carveout_res->start,
				   resource_size(cenalloc_carveout_res));
	}
	cenalloc_nr_backends = 0;
}

/**
 * cenalloc_backend_count() - how many backends this kernel has.
 *
 * Return: the number of registered backends.
 */
u32 cenalloc_backend_count(void)
{
	return cenalloc_nr_backends;
}

/**
 * cenalloc_backend_get() - one backend by its index in the solver's list.
 * @i: the index, as in cen_plan.backend.
 *
 * Return: the backend, or NULL for an index out of range.
 */
struct cenalloc_backend *cenalloc_backend_get(u32 i)
{
	return i < cenalloc_nr_backends ? &cenalloc_backends[i] : NULL;
}

/*
 * What @be could give now, sampled at most once per jiffy: the buddy's
 * figure (si_mem_available()) walks every zone, which cost a small
 * buffer's first use as much as its solve.  A figure a few milliseconds
 * old is as good a guide; the allocation itself is the real test.  A torn
 * read of the pair costs one extra sample at worst.
 */
static u64 cenalloc_free_sample(struct cenalloc_backend *be)
{
	unsigned long now = jiffies;

	if (READ_ONCE(be->free_stamp) != now) {
		WRITE_ONCE(be->free_sample, be->free_bytes(be));
		WRITE_ONCE(be->free_stamp, now);
	}
	return READ_ONCE(be->free_sample);
}

/**
 * cenalloc_backend_descs() - the backends as the solver sees them, now.
 * @descs: filled with CEN_MAX_BACKENDS entries at most.
 * @n: the number filled.
 *
 * Copies, with each backend's free bytes as of this jiffy; nothing shared
 * but the samples is written, so callers on several CPUs do not race.
 */
void cenalloc_backend_descs(struct cen_backend_desc *descs, u32 *n)
{
	u32 i;

	for (i = 0; i < cenalloc_nr_backends; i++) {
		struct cenalloc_backend *be = &cenalloc_backends[i];

		/* Into the copy: @desc is shared and never written after load. */
		descs[i] = be->desc;
		descs[i].free_bytes = cenalloc_free_sample(be);
	}
	*n = cenalloc_nr_backends;
}
