// SPDX-License-Identifier: GPL-2.0
/*
 * cen_importer - test importer for the cenalloc integration tests.
 *
 * A misc device, /dev/cen_importer, through which a test creates platform
 * devices with chosen DMA constraints, attaches dma-bufs to them (attach
 * now, map later), maps the attachments and checks every mapped segment
 * against the device's own constraints.  The check uses only struct device
 * and the scatterlist, never cenalloc's solver: it is the independent
 * referee of the integration suite.  The ABI is in cen_importer_uapi.h.
 *
 * Locking: each open file has a mutex that serialises its ioctls and
 * protects its objects.  The sg_table of a dynamic attachment is also
 * protected by the dma-buf's reservation lock, which move_notify holds;
 * move_notify never takes the file mutex (order: file mutex -> resv).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/dma-buf.h>
#include <linux/dma-direct.h>
#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/iosys-map.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "cenalloc_api.h"
#include "cenalloc_compat.h"
#include "cen_importer_uapi.h"

#define CEN_IMP_DRV_NAME	"cen_importer"
#define CEN_IMP_NO_DRV_NAME	"cen_importer_nodrv"	/* no such driver */

struct cen_imp_dev {
	struct platform_device *pdev;
	u32 handle;
	u32 flags;
	bool declared;
	bool contig;		/* device needs physically contiguous DMA */
	u64 align;		/* 0 = none */
	u32 max_segments;	/* U32_MAX = any */
	unsigned int nr_attach;
};

struct cen_imp_att {
	struct cen_imp_dev *dev;
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	/*
	 * Current mapping; for dynamic attachments also under the resv lock
	 * (move_notify drops it).
	 */
	struct sg_table *sgt;
	struct sg_table *again;	/* a second mapping (CEN_IMP_MAP_AGAIN) */
	bool dynamic;
	bool lazy;		/* move_notify marks @sgt stale, keeps it */
	bool stale;		/* told to let go; under the resv lock */
	atomic_t moves;
	u32 handle;
};

struct cen_imp_vm {
	struct dma_buf *dmabuf;
	struct iosys_map map;
	u32 handle;
};

struct cen_imp_file {
	struct mutex lock;	/* serialises ioctls, protects the xarrays */
	struct xarray devs;
	struct xarray atts;
	struct xarray vmaps;
};

/* Serialises device name checks and registration across files. */
static DEFINE_MUTEX(cen_imp_name_lock);

static bool cen_imp_zero(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

/* ---- devices -------------------------------------------------------- */

static int cen_imp_probe(struct platform_device *pdev)
{
	return 0;
}

static struct platform_driver cen_imp_driver = {
	.probe = cen_imp_probe,
	.driver = {
		.name = CEN_IMP_DRV_NAME,
	},
};

static u64 cen_imp_addr_limit(struct device *dev)
{
	u64 mask = dev->dma_mask ? *dev->dma_mask : 0;

	return min_not_zero(mask, (u64)dev->bus_dma_limit);
}

static bool cen_imp_name_ok(const char *name)
{
	size_t i, n = strnlen(name, CEN_IMP_NAME_LEN);

	if (!n || n == CEN_IMP_NAME_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum(name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

static int cen_imp_declare(struct cen_imp_dev *d, u32 declare)
{
	struct device *dev = &d->pdev->dev;
	struct cen_constraints c;

	cen_constraints_init(&c);
	if (!(d->flags & CEN_IMP_DEV_DECL_SEGS_ONLY)) {
		cen_constraints_set(&c, CEN_F_ADDR_LIMIT,
				    cen_imp_addr_limit(dev), CEN_SRC_DRIVER);
		cen_constraints_set(&c, CEN_F_MAX_SEG_SIZE,
				    dma_get_max_seg_size(dev), CEN_SRC_DRIVER);
		cen_constraints_set(&c, CEN_F_SEG_BOUNDARY,
				    dma_get_seg_boundary(dev), CEN_SRC_DRIVER);
		if (d->align > 1)
			cen_constraints_set(&c, CEN_F_ALIGN, d->align,
					    CEN_SRC_DRIVER);
	}
	cen_constraints_set(&c, CEN_F_MAX_SEGMENTS,
			    declare == CEN_IMP_DECLARE_CONTIG ?
			    1 : d->max_segments, CEN_SRC_DRIVER);
	if (d->flags & CEN_IMP_DEV_DECL_IOMMU)
		cen_constraints_set(&c, CEN_F_IOMMU, 1, CEN_SRC_DRIVER);
	return cenalloc_declare_constraints(dev, &c);
}

static void cen_imp_dev_free(struct cen_imp_dev *d)
{
	if (d->declared)
		cenalloc_forget_constraints(&d->pdev->dev);
	platform_device_unregister(d->pdev);
	kfree(d);
}

static int cen_imp_dev_validate(const struct cen_imp_dev_create *a)
{
	if (a->flags & ~CEN_IMP_DEV_FLAGS_ALL)
		return -EINVAL;
	if (a->declare > CEN_IMP_DECLARE_SCATTER)
		return -EINVAL;
	if (a->dma_bits && (a->dma_bits < 12 || a->dma_bits > 64))
		return -EINVAL;
	if (a->seg_boundary_mask &&
	    (a->seg_boundary_mask & (a->seg_boundary_mask + 1)))
		return -EINVAL;
	if (a->seg_boundary_mask && a->seg_boundary_mask < PAGE_SIZE - 1)
		return -EINVAL;
	if (a->align > 1 && !is_power_of_2(a->align))
		return -EINVAL;
	if (a->reserved0 || a->coherent ||
	    !cen_imp_zero(a->reserved, sizeof(a->reserved)))
		return -EINVAL;
	if (!cen_imp_name_ok(a->name))
		return -EINVAL;
	return 0;
}

static int cen_imp_dev_setup(struct cen_imp_dev *d,
			     const struct cen_imp_dev_create *a)
{
	struct device *dev = &d->pdev->dev;
	int ret;

	if (a->dma_bits) {
		ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(a->dma_bits));
		if (ret)
			return ret;
	}
	if (a->max_seg_size)
		dma_set_max_seg_size(dev, a->max_seg_size);
	if (a->seg_boundary_mask)
		dma_set_seg_boundary(dev, a->seg_boundary_mask);
	dev->bus_dma_limit = a->bus_dma_limit;
	if (a->declare == CEN_IMP_DECLARE_NONE)
		return 0;
	ret = cen_imp_declare(d, a->declare);
	if (ret)
		return ret;
	d->declared = true;
	return 0;
}

static int cen_imp_dev_create(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_dev_create a;
	struct cen_imp_dev *d;
	struct device *other;
	struct device *dev;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	ret = cen_imp_dev_validate(&a);
	if (ret)
		return ret;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	d->flags = a.flags;
	d->align = a.align > 1 ? a.align : 0;
	d->contig = (a.flags & CEN_IMP_DEV_CONTIG) ||
		    a.declare == CEN_IMP_DECLARE_CONTIG;
	d->max_segments = a.max_segments ? a.max_segments :
			  d->contig ? 1 : U32_MAX;

	mutex_lock(&cen_imp_name_lock);
	other = bus_find_device_by_name(&platform_bus_type, NULL, a.name);
	if (other) {
		put_device(other);
		ret = -EEXIST;
		goto err_unlock;
	}
	d->pdev = platform_device_alloc(a.name, PLATFORM_DEVID_NONE);
	if (!d->pdev) {
		ret = -ENOMEM;
		goto err_unlock;
	}
	dev = &d->pdev->dev;
	/*
	 * Bind our driver, or with NO_DRIVER none at all: a device named
	 * like a platform driver ("vivid") must not bind to it.
	 */
	ret = cenalloc_set_driver_override(d->pdev,
					   a.flags & CEN_IMP_DEV_NO_DRIVER ?
					   CEN_IMP_NO_DRV_NAME :
					   CEN_IMP_DRV_NAME);
	if (ret)
		goto err_put;
	ret = platform_device_add(d->pdev);
	if (ret)
		goto err_put;
	mutex_unlock(&cen_imp_name_lock);

	ret = cen_imp_dev_setup(d, &a);
	if (ret)
		goto err_free;

	ret = xa_alloc(&cf->devs, &d->handle, d, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_free;

	a.handle = d->handle;
	a.dma_mask = dma_get_mask(dev);
	a.addr_limit = cen_imp_addr_limit(dev);
	a.eff_max_seg_size = dma_get_max_seg_size(dev);
	a.eff_max_segments = d->max_segments;
	a.eff_seg_boundary = dma_get_seg_boundary(dev);
	a.coherent = dev_is_dma_coherent(dev);
	strscpy(a.dev_name, dev_name(dev), sizeof(a.dev_name));
	if (copy_to_user(uarg, &a, sizeof(a))) {
		xa_erase(&cf->devs, d->handle);
		ret = -EFAULT;
		goto err_free;
	}
	dev_dbg(dev, "created: mask %#llx limit %#llx seg %u boundary %#lx declare %u%s\n",
		a.dma_mask, a.addr_limit, dma_get_max_seg_size(dev),
		dma_get_seg_boundary(dev), a.declare,
		d->contig ? " contig" : "");
	return 0;

err_put:
	platform_device_put(d->pdev);
err_unlock:
	mutex_unlock(&cen_imp_name_lock);
	kfree(d);
	return ret;
err_free:
	cen_imp_dev_free(d);
	return ret;
}

static int cen_imp_get_handle(void __user *uarg, struct cen_imp_handle *h)
{
	if (copy_from_user(h, uarg, sizeof(*h)))
		return -EFAULT;
	if (h->flags || h->reserved)
		return -EINVAL;
	return 0;
}

static int cen_imp_dev_destroy(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_handle h;
	struct cen_imp_dev *d;
	int ret;

	ret = cen_imp_get_handle(uarg, &h);
	if (ret)
		return ret;
	d = xa_load(&cf->devs, h.handle);
	if (!d)
		return -ENOENT;
	if (d->nr_attach)
		return -EBUSY;
	xa_erase(&cf->devs, h.handle);
	cen_imp_dev_free(d);
	return 0;
}

/* ---- attachments ---------------------------------------------------- */

/* Called with the reservation lock held: let go of the mapping. */
static void cen_imp_move_notify(struct dma_buf_attachment *attach)
{
	struct cen_imp_att *att = attach->importer_priv;

	dma_resv_assert_held(attach->dmabuf->resv);
	atomic_inc(&att->moves);
	if (att->sgt && att->lazy) {
		att->stale = true;
	} else if (att->sgt) {
		dma_buf_unmap_attachment(attach, att->sgt, DMA_BIDIRECTIONAL);
		att->sgt = NULL;
	}
}

static const struct dma_buf_attach_ops cen_imp_attach_ops = {
	.allow_peer2peer = false,
	.CENALLOC_INVALIDATE_OP = cen_imp_move_notify,
};

static void cen_imp_unmap(struct cen_imp_att *att)
{
	if (att->dynamic) {
		dma_resv_lock(att->dmabuf->resv, NULL);
		if (att->sgt)
			dma_buf_unmap_attachment(att->attach, att->sgt,
						 DMA_BIDIRECTIONAL);
		att->sgt = NULL;
		att->stale = false;
		dma_resv_unlock(att->dmabuf->resv);
	} else if (att->again) {
		/* The newer mapping first: the older stays current. */
		cenalloc_unmap_attachment_unlocked(att->attach, att->again,
						   DMA_BIDIRECTIONAL);
		att->again = NULL;
	} else if (att->sgt) {
		cenalloc_unmap_attachment_unlocked(att->attach, att->sgt,
						   DMA_BIDIRECTIONAL);
		att->sgt = NULL;
	}
}

static void cen_imp_att_free(struct cen_imp_att *att)
{
	cen_imp_unmap(att);
	cen_imp_unmap(att);	/* the second mapping */
	dma_buf_detach(att->dmabuf, att->attach);
	dma_buf_put(att->dmabuf);
	att->dev->nr_attach--;
	kfree(att);
}

static int cen_imp_attach(struct cen_imp_file *cf, void __user *uarg)
{
	struct dma_buf_attachment *attach;
	struct cen_imp_attach a;
	struct cen_imp_att *att;
	struct cen_imp_dev *d;
	struct dma_buf *dmabuf;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if ((a.flags & ~CEN_IMP_ATTACH_FLAGS_ALL) || a.reserved0 ||
	    !cen_imp_zero(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	d = xa_load(&cf->devs, a.dev);
	if (!d)
		return -ENOENT;

	att = kzalloc(sizeof(*att), GFP_KERNEL);
	if (!att)
		return -ENOMEM;
	atomic_set(&att->moves, 0);
	att->dynamic = a.flags & CEN_IMP_ATTACH_DYNAMIC;
	att->lazy = a.flags & CEN_IMP_ATTACH_LAZY;
	if (att->lazy && !att->dynamic) {
		kfree(att);
		return -EINVAL;
	}

	dmabuf = dma_buf_get(a.fd);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_free;
	}
	if (att->dynamic)
		attach = dma_buf_dynamic_attach(dmabuf, &d->pdev->dev,
						&cen_imp_attach_ops, att);
	else
		attach = dma_buf_attach(dmabuf, &d->pdev->dev);
	if (IS_ERR(attach)) {
		ret = PTR_ERR(attach);
		goto err_put;
	}
	att->dev = d;
	att->dmabuf = dmabuf;
	att->attach = attach;
	d->nr_attach++;

	ret = xa_alloc(&cf->atts, &att->handle, att, xa_limit_31b, GFP_KERNEL);
	if (ret) {
		cen_imp_att_free(att);
		return ret;
	}

	a.handle = att->handle;
	a.size = dmabuf->size;
	a.is_cenalloc = cenalloc_is_cenalloc_dmabuf(dmabuf);
	strscpy(a.exporter, dmabuf->exp_name ? dmabuf->exp_name : "",
		sizeof(a.exporter));
	if (copy_to_user(uarg, &a, sizeof(a))) {
		xa_erase(&cf->atts, att->handle);
		cen_imp_att_free(att);
		return -EFAULT;
	}
	return 0;

err_put:
	dma_buf_put(dmabuf);
err_free:
	kfree(att);
	return ret;
}

static int cen_imp_detach(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_handle h;
	struct cen_imp_att *att;
	int ret;

	ret = cen_imp_get_handle(uarg, &h);
	if (ret)
		return ret;
	att = xa_erase(&cf->atts, h.handle);
	if (!att)
		return -ENOENT;
	cen_imp_att_free(att);
	return 0;
}

/* ---- the independent check ----------------------------------------- */

static void cen_imp_violate(struct cen_imp_map *m, u32 rule, u32 index,
			    u64 value, u64 limit)
{
	if (!m->nr_violations++) {
		m->verdict = CEN_IMP_FAIL;
		m->rule = rule;
		m->bad_index = index;
		m->bad_value = value;
		m->bad_limit = limit;
	}
}

/*
 * Check the DMA segments of @sgt against the constraints of the device,
 * read from struct device (masks, bus limit, dma_parms) and from what the
 * test said at creation (contiguity, alignment, segment count).
 */
static void cen_imp_check(const struct cen_imp_att *att,
			  const struct sg_table *sgt, struct cen_imp_map *m)
{
	struct device *dev = &att->dev->pdev->dev;
	u64 limit = cen_imp_addr_limit(dev);
	u64 max_seg = dma_get_max_seg_size(dev);
	u64 bmask = dma_get_seg_boundary(dev);
	u64 align = att->dev->align;
	u64 size = att->dmabuf->size;
	u64 expected = 0, prev_end = 0;
	bool contiguous = true;
	struct scatterlist *sg;
	unsigned int i;

	m->verdict = CEN_IMP_PASS;
	m->rule = CEN_IMP_RULE_NONE;
	m->nr_segments = sgt->nents;
	m->nr_entries = sgt->orig_nents;
	m->size = size;
	m->lowest = U64_MAX;
	if (sgt->nents)
		expected = sg_dma_address(sgt->sgl);

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 addr = sg_dma_address(sg);
		u64 len = sg_dma_len(sg);
		u64 last = addr + len - 1;

		if (i < CEN_IMP_MAX_REPORT) {
			m->segs[i].addr = addr;
			m->segs[i].len = len;
		}
		m->total += len;
		m->longest = max(m->longest, len);
		m->lowest = min(m->lowest, addr);
		if (!i || addr != prev_end)
			m->nr_runs++;
		prev_end = addr + len;
		/* vb2_dc_get_contiguous_size() */
		if (contiguous && addr == expected) {
			expected += len;
			m->contig_size += len;
		} else if (contiguous) {
			contiguous = false;
			if (att->dev->contig)
				cen_imp_violate(m, CEN_IMP_RULE_CONTIG, i,
						m->contig_size, size);
		}

		if (!len) {
			cen_imp_violate(m, CEN_IMP_RULE_EMPTY, i, 0, 0);
			continue;
		}
		if (last < addr) {
			cen_imp_violate(m, CEN_IMP_RULE_WRAP, i, addr, len);
			continue;
		}
		m->highest = max(m->highest, last);
		if (last > limit)
			cen_imp_violate(m, CEN_IMP_RULE_ADDR_LIMIT, i, last,
					limit);
		if (len > max_seg)
			cen_imp_violate(m, CEN_IMP_RULE_MAX_SEG_SIZE, i, len,
					max_seg);
		if ((addr & ~bmask) != (last & ~bmask))
			cen_imp_violate(m, CEN_IMP_RULE_SEG_BOUNDARY, i, addr,
					bmask);
		if (align && (addr & (align - 1)))
			cen_imp_violate(m, CEN_IMP_RULE_ALIGN, i, addr, align);
	}
	if (!sgt->nents) {
		m->lowest = 0;
		cen_imp_violate(m, CEN_IMP_RULE_EMPTY, 0, 0, 0);
	}
	if (sgt->nents > att->dev->max_segments)
		cen_imp_violate(m, CEN_IMP_RULE_MAX_SEGMENTS, sgt->nents - 1,
				sgt->nents, att->dev->max_segments);
	if (m->total != size)
		cen_imp_violate(m, CEN_IMP_RULE_TOTAL, 0, m->total, size);

	/*
	 * Without an IOMMU and without merging (one DMA segment per CPU
	 * entry) a DMA address that is not the page's own means the DMA API
	 * bounced the page through swiotlb: the exporter handed the device
	 * memory it cannot reach.
	 */
	if (device_iommu_mapped(dev) || sgt->nents != sgt->orig_nents)
		return;
	for_each_sgtable_sg(sgt, sg, i) {
		dma_addr_t want;

		if (!sg_page(sg))
			continue;
		want = phys_to_dma(dev, sg_phys(sg));
		if (sg_dma_address(sg) != want) {
			m->nr_bounced++;
			cen_imp_violate(m, CEN_IMP_RULE_BOUNCED, i,
					sg_dma_address(sg), want);
		}
	}
}

static int cen_imp_get_map_args(void __user *uarg, struct cen_imp_map *m)
{
	u32 handle, flags;

	if (copy_from_user(m, uarg, sizeof(*m)))
		return -EFAULT;
	if ((m->flags & ~CEN_IMP_MAP_FLAGS_ALL) || m->reserved0 ||
	    !cen_imp_zero(m->reserved, sizeof(m->reserved)))
		return -EINVAL;
	/* Everything else is output. */
	handle = m->handle;
	flags = m->flags;
	memset(m, 0, sizeof(*m));
	m->handle = handle;
	m->flags = flags;
	return 0;
}

static void cen_imp_report(const struct cen_imp_att *att,
			   const struct cen_imp_map *m)
{
	dev_dbg(&att->dev->pdev->dev,
		"att %u: %u segments %u runs, %s rule %u index %u value %#llx limit %#llx\n",
		att->handle, m->nr_segments, m->nr_runs,
		m->verdict == CEN_IMP_PASS ? "PASS" : "FAIL", m->rule,
		m->bad_index, m->bad_value, m->bad_limit);
}

/* A second mapping of a mapped, non-dynamic attachment. */
static int cen_imp_map_again(struct cen_imp_att *att)
{
	struct sg_table *sgt;

	if (att->dynamic || !att->sgt || att->again)
		return -EBUSY;
	sgt = cenalloc_map_attachment_unlocked(att->attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt))
		return PTR_ERR(sgt);
	att->again = sgt;
	return 0;
}

/* MAP (@map) or CHECK (!@map). */
static int cen_imp_map(struct cen_imp_file *cf, void __user *uarg, bool map)
{
	struct cen_imp_att *att;
	struct sg_table *sgt;
	struct cen_imp_map *m;
	int ret;

	m = kmalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;
	ret = cen_imp_get_map_args(uarg, m);
	if (!ret && !map && m->flags)
		ret = -EINVAL;	/* CHECK takes no flag */
	if (ret)
		goto out;
	att = xa_load(&cf->atts, m->handle);
	if (!att) {
		ret = -ENOENT;
		goto out;
	}

	if (att->dynamic)
		dma_resv_lock(att->dmabuf->resv, NULL);
	if (map && (m->flags & CEN_IMP_MAP_AGAIN)) {
		ret = cen_imp_map_again(att);
	} else if (map && att->sgt) {
		ret = -EBUSY;
	} else if (map) {
		if (att->dynamic)
			sgt = dma_buf_map_attachment(att->attach,
						     DMA_BIDIRECTIONAL);
		else
			sgt = cenalloc_map_attachment_unlocked(att->attach,
							       DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt))
			ret = PTR_ERR(sgt);
		else
			att->sgt = sgt;
	} else if (!att->sgt) {
		ret = -ENODATA;
	}
	if (!ret)
		cen_imp_check(att, att->sgt, m);
	m->moves = atomic_read(&att->moves);
	if (att->dynamic)
		dma_resv_unlock(att->dmabuf->resv);
	if (ret)
		goto out;

	cen_imp_report(att, m);
	if (copy_to_user(uarg, m, sizeof(*m)))
		ret = -EFAULT;
out:
	kfree(m);
	return ret;
}

static int cen_imp_unmap_ioctl(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_handle h;
	struct cen_imp_att *att;
	bool mapped;
	int ret;

	ret = cen_imp_get_handle(uarg, &h);
	if (ret)
		return ret;
	att = xa_load(&cf->atts, h.handle);
	if (!att)
		return -ENOENT;
	if (att->dynamic)
		dma_resv_lock(att->dmabuf->resv, NULL);
	mapped = att->sgt;
	if (att->dynamic)
		dma_resv_unlock(att->dmabuf->resv);
	if (!mapped)
		return -ENODATA;
	cen_imp_unmap(att);
	return 0;
}

/* ---- CPU access ----------------------------------------------------- */

static void cen_imp_vmap_free(struct cen_imp_vm *v)
{
	cenalloc_vunmap_unlocked(v->dmabuf, &v->map);
	dma_buf_put(v->dmabuf);
	kfree(v);
}

static int cen_imp_vmap(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_vmap a;
	struct cen_imp_vm *v;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.flags || !cen_imp_zero(a.reserved, sizeof(a.reserved)))
		return -EINVAL;

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	v->dmabuf = dma_buf_get(a.fd);
	if (IS_ERR(v->dmabuf)) {
		ret = PTR_ERR(v->dmabuf);
		kfree(v);
		return ret;
	}
	ret = cenalloc_vmap_unlocked(v->dmabuf, &v->map);
	if (ret) {
		dma_buf_put(v->dmabuf);
		kfree(v);
		return ret;
	}
	ret = xa_alloc(&cf->vmaps, &v->handle, v, xa_limit_31b, GFP_KERNEL);
	if (ret) {
		cen_imp_vmap_free(v);
		return ret;
	}
	a.handle = v->handle;
	a.is_iomem = v->map.is_iomem;
	a.size = v->dmabuf->size;
	if (copy_to_user(uarg, &a, sizeof(a))) {
		xa_erase(&cf->vmaps, v->handle);
		cen_imp_vmap_free(v);
		return -EFAULT;
	}
	return 0;
}

static int cen_imp_vunmap(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_handle h;
	struct cen_imp_vm *v;
	int ret;

	ret = cen_imp_get_handle(uarg, &h);
	if (ret)
		return ret;
	v = xa_erase(&cf->vmaps, h.handle);
	if (!v)
		return -ENOENT;
	cen_imp_vmap_free(v);
	return 0;
}

/* RW and DMA_RW arguments: flags and reserved fields checked. */
static int cen_imp_get_rw(void __user *uarg, struct cen_imp_rw *a)
{
	if (copy_from_user(a, uarg, sizeof(*a)))
		return -EFAULT;
	if ((a->flags & ~CEN_IMP_RW_FLAGS_ALL) ||
	    !cen_imp_zero(a->reserved, sizeof(a->reserved)))
		return -EINVAL;
	return 0;
}

/* Does the range of @a lie within a buffer of @size bytes? */
static bool cen_imp_rw_fits(const struct cen_imp_rw *a, u64 size)
{
	return a->len <= CEN_IMP_MAX_RW && a->offset <= size &&
	       a->len <= size - a->offset;
}

static int cen_imp_rw(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_vm *v;
	struct cen_imp_rw a;
	u8 __user *up;
	u64 done = 0;
	void *bounce;
	int ret = 0;

	ret = cen_imp_get_rw(uarg, &a);
	if (ret)
		return ret;
	v = xa_load(&cf->vmaps, a.handle);
	if (!v)
		return -ENOENT;
	if (!cen_imp_rw_fits(&a, v->dmabuf->size))
		return -EINVAL;

	bounce = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	up = u64_to_user_ptr(a.user_ptr);
	while (done < a.len) {
		size_t n = min_t(u64, a.len - done, PAGE_SIZE);

		if (a.flags & CEN_IMP_RW_WRITE) {
			if (copy_from_user(bounce, up + done, n)) {
				ret = -EFAULT;
				break;
			}
			iosys_map_memcpy_to(&v->map, a.offset + done, bounce,
					    n);
		} else {
			iosys_map_memcpy_from(bounce, &v->map, a.offset + done,
					      n);
			if (copy_to_user(up + done, bounce, n)) {
				ret = -EFAULT;
				break;
			}
		}
		done += n;
	}
	kfree(bounce);
	return ret;
}

/*
 * Copy between a kernel buffer and the pages of an attachment's mapping.
 * Each scatterlist entry is reached through memremap(), which also works
 * for reserved memory outside the kernel's direct map (a carveout).
 */
static int cen_imp_sg_copy(struct sg_table *sgt, u64 offset, u64 len,
			   u8 *buf, bool write)
{
	u64 pos = 0, end = offset + len;
	struct scatterlist *sg;
	int i;

	for_each_sgtable_sg(sgt, sg, i) {
		u64 lo = max(pos, offset), hi = min(pos + sg->length, end);
		void *va;

		if (lo < hi) {
			va = memremap(sg_phys(sg), sg->length, MEMREMAP_WB);
			if (!va)
				return -ENOMEM;
			if (write)
				memcpy(va + (lo - pos), buf + (lo - offset),
				       hi - lo);
			else
				memcpy(buf + (lo - offset), va + (lo - pos),
				       hi - lo);
			memunmap(va);
		}
		pos += sg->length;
		if (pos >= end)
			break;
	}
	return 0;
}

/*
 * User memory is copied before the reservation lock is taken and after it
 * is dropped: a page fault under it would order mmap_lock after it, the
 * reverse of cenalloc's fault handler.
 */
static int cen_imp_dma_rw(struct cen_imp_file *cf, void __user *uarg)
{
	bool write;
	struct cen_imp_att *att;
	struct cen_imp_rw a;
	u8 *bounce;
	int ret;

	ret = cen_imp_get_rw(uarg, &a);
	if (ret)
		return ret;
	att = xa_load(&cf->atts, a.handle);
	if (!att)
		return -ENOENT;
	if (!cen_imp_rw_fits(&a, att->dmabuf->size))
		return -EINVAL;
	write = a.flags & CEN_IMP_RW_WRITE;
	bounce = kvmalloc(max_t(u64, a.len, 1), GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	if (write && copy_from_user(bounce, u64_to_user_ptr(a.user_ptr),
				    a.len)) {
		ret = -EFAULT;
		goto out;
	}

	if (att->dynamic)
		dma_resv_lock(att->dmabuf->resv, NULL);
	if (!att->sgt) {
		ret = -ENODATA;
	} else if (att->stale) {
		ret = -ESTALE;
	} else {
		/* The CPU stands in for the device: own the pages meanwhile. */
		dma_sync_sgtable_for_cpu(&att->dev->pdev->dev, att->sgt,
					 DMA_BIDIRECTIONAL);
		ret = cen_imp_sg_copy(att->sgt, a.offset, a.len, bounce,
				      write);
		dma_sync_sgtable_for_device(&att->dev->pdev->dev, att->sgt,
					    DMA_BIDIRECTIONAL);
	}
	if (att->dynamic)
		dma_resv_unlock(att->dmabuf->resv);

	if (!ret && !write &&
	    copy_to_user(u64_to_user_ptr(a.user_ptr), bounce, a.len))
		ret = -EFAULT;
out:
	kvfree(bounce);
	return ret;
}

/* ---- fences: pretend DMA in flight ---------------------------------- */

static struct workqueue_struct *cen_imp_wq;

struct cen_imp_fence {
	struct dma_fence base;
	spinlock_t lock;	/* the fence's */
	struct work_struct work;
	unsigned int ms;
};

static const char *cen_imp_fence_driver(struct dma_fence *f)
{
	return CEN_IMP_DRV_NAME;
}

static const char *cen_imp_fence_timeline(struct dma_fence *f)
{
	return "busy";
}

static const struct dma_fence_ops cen_imp_fence_ops = {
	.get_driver_name = cen_imp_fence_driver,
	.get_timeline_name = cen_imp_fence_timeline,
};

/*
 * Queued, not delayed, work: destroy_workqueue() then waits for it, so no
 * fence outlives the module.
 */
static void cen_imp_fence_done(struct work_struct *w)
{
	struct cen_imp_fence *f = container_of(w, struct cen_imp_fence, work);

	msleep(f->ms);
	dma_fence_signal(&f->base);
	dma_fence_put(&f->base);
}

static int cen_imp_busy(struct cen_imp_file *cf, void __user *uarg)
{
	struct cen_imp_busy a;
	struct cen_imp_fence *f;
	struct cen_imp_att *att;
	struct dma_resv *resv;
	int ret;

	if (copy_from_user(&a, uarg, sizeof(a)))
		return -EFAULT;
	if (a.reserved || a.ms > 60000)
		return -EINVAL;
	att = xa_load(&cf->atts, a.handle);
	if (!att)
		return -ENOENT;
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	spin_lock_init(&f->lock);
	dma_fence_init(&f->base, &cen_imp_fence_ops, &f->lock,
		       dma_fence_context_alloc(1), 1);
	INIT_WORK(&f->work, cen_imp_fence_done);
	f->ms = a.ms;

	resv = att->dmabuf->resv;
	dma_resv_lock(resv, NULL);
	ret = dma_resv_reserve_fences(resv, 1);
	if (!ret)
		dma_resv_add_fence(resv, &f->base, DMA_RESV_USAGE_WRITE);
	dma_resv_unlock(resv);
	if (ret) {
		dma_fence_put(&f->base);
		return ret;
	}
	/* Our reference goes to the work, which signals and drops it. */
	queue_work(cen_imp_wq, &f->work);
	return 0;
}

/* ---- file ----------------------------------------------------------- */

static int cen_imp_open(struct inode *inode, struct file *file)
{
	struct cen_imp_file *cf;

	cf = kzalloc(sizeof(*cf), GFP_KERNEL);
	if (!cf)
		return -ENOMEM;
	mutex_init(&cf->lock);
	xa_init_flags(&cf->devs, XA_FLAGS_ALLOC1);
	xa_init_flags(&cf->atts, XA_FLAGS_ALLOC1);
	xa_init_flags(&cf->vmaps, XA_FLAGS_ALLOC1);
	file->private_data = cf;
	return nonseekable_open(inode, file);
}

static int cen_imp_release(struct inode *inode, struct file *file)
{
	struct cen_imp_file *cf = file->private_data;
	struct cen_imp_vm *v;
	struct cen_imp_att *att;
	struct cen_imp_dev *d;
	unsigned long idx;

	mutex_lock(&cf->lock);
	xa_for_each(&cf->vmaps, idx, v) {
		xa_erase(&cf->vmaps, idx);
		cen_imp_vmap_free(v);
	}
	xa_for_each(&cf->atts, idx, att) {
		xa_erase(&cf->atts, idx);
		cen_imp_att_free(att);
	}
	xa_for_each(&cf->devs, idx, d) {
		xa_erase(&cf->devs, idx);
		WARN_ON(d->nr_attach);
		cen_imp_dev_free(d);
	}
	mutex_unlock(&cf->lock);
	xa_destroy(&cf->vmaps);
	xa_destroy(&cf->atts);
	xa_destroy(&cf->devs);
	mutex_destroy(&cf->lock);
	kfree(cf);
	return 0;
}

static long cen_imp_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct cen_imp_file *cf = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	mutex_lock(&cf->lock);
	switch (cmd) {
	case CEN_IMP_IOC_DEV_CREATE:
		ret = cen_imp_dev_create(cf, uarg);
		break;
	case CEN_IMP_IOC_DEV_DESTROY:
		ret = cen_imp_dev_destroy(cf, uarg);
		break;
	case CEN_IMP_IOC_ATTACH:
		ret = cen_imp_attach(cf, uarg);
		break;
	case CEN_IMP_IOC_DETACH:
		ret = cen_imp_detach(cf, uarg);
		break;
	case CEN_IMP_IOC_MAP:
		ret = cen_imp_map(cf, uarg, true);
		break;
	case CEN_IMP_IOC_CHECK:
		ret = cen_imp_map(cf, uarg, false);
		break;
	case CEN_IMP_IOC_UNMAP:
		ret = cen_imp_unmap_ioctl(cf, uarg);
		break;
	case CEN_IMP_IOC_VMAP:
		ret = cen_imp_vmap(cf, uarg);
		break;
	case CEN_IMP_IOC_VUNMAP:
		ret = cen_imp_vunmap(cf, uarg);
		break;
	case CEN_IMP_IOC_RW:
		ret = cen_imp_rw(cf, uarg);
		break;
	case CEN_IMP_IOC_DMA_RW:
		ret = cen_imp_dma_rw(cf, uarg);
		break;
	case CEN_IMP_IOC_BUSY:
		ret = cen_imp_busy(cf, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&cf->lock);
	return ret;
}

static const struct file_operations cen_imp_fops = {
	.owner = THIS_MODULE,
	.open = cen_imp_open,
	.release = cen_imp_release,
	.unlocked_ioctl = cen_imp_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice cen_imp_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = CEN_IMP_DRV_NAME,
	.fops = &cen_imp_fops,
	.mode = 0600,
};

static int __init cen_imp_init(void)
{
	int ret;

	cen_imp_wq = alloc_workqueue("cen_importer", WQ_UNBOUND, 0);
	if (!cen_imp_wq)
		return -ENOMEM;
	ret = platform_driver_register(&cen_imp_driver);
	if (ret)
		goto err_wq;
	ret = misc_register(&cen_imp_misc);
	if (ret)
		goto err_drv;
	return 0;
err_drv:
	platform_driver_unregister(&cen_imp_driver);
err_wq:
	destroy_workqueue(cen_imp_wq);
	return ret;
}

static void __exit cen_imp_exit(void)
{
	misc_deregister(&cen_imp_misc);
	platform_driver_unregister(&cen_imp_driver);
	/* Signals every fence still pending. */
	destroy_workqueue(cen_imp_wq);
}

module_init(cen_imp_init);
module_exit(cen_imp_exit);

MODULE_DESCRIPTION("cenalloc test importer: devices with chosen DMA constraints");
MODULE_LICENSE("GPL");
CENALLOC_IMPORT_NS(DMA_BUF);
