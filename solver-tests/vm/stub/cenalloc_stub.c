// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc_stub - stands in for cenalloc.ko to test cen_importer.ko alone.
 *
 * Exports the driver-API symbols cen_importer.ko links against, with
 * trivial bodies: constraints are logged, not used, and no dma-buf is a
 * cenalloc one.  Not the exporter: the VM tests of cenalloc need the real
 * kernel/exporter/cenalloc.ko.  Built as "cenalloc.ko" so modules.list
 * does not change:
 *
 *   make -C solver-tests/vm/stub
 *   CENALLOC_KO=$PWD/solver-tests/vm/stub/cenalloc.ko solver-tests/vm/run-vm.sh
 */
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/module.h>

#include "cenalloc_api.h"

void cen_constraints_init(struct cen_constraints *c)
{
	int f;

	memset(c, 0, sizeof(*c));
	c->addr_limit = U64_MAX;
	c->max_seg_size = U64_MAX;
	c->seg_boundary_mask = U64_MAX;
	c->align = 1;
	c->max_segments = U32_MAX;
	for (f = 0; f < CEN_F_COUNT; f++)
		c->origin[f] = CEN_ORIGIN_NONE;
}
EXPORT_SYMBOL_GPL(cen_constraints_init);

void cen_constraints_set(struct cen_constraints *c, enum cen_field f,
			 u64 value, enum cen_source src)
{
	switch (f) {
	case CEN_F_ADDR_LIMIT:
		c->addr_limit = value;
		break;
	case CEN_F_MAX_SEGMENTS:
		c->max_segments = value;
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
		c->iommu = value;
		break;
	case CEN_F_COHERENCY:
		c->coherency = value;
		break;
	default:
		return;
	}
	c->src[f] = src;
}
EXPORT_SYMBOL_GPL(cen_constraints_set);

int cenalloc_declare_constraints(struct device *dev,
				 const struct cen_constraints *c)
{
	dev_info(dev, "stub: declared limit %#llx segs %u seg %#llx boundary %#llx align %#llx iommu %u\n",
		 c->addr_limit, c->max_segments, c->max_seg_size,
		 c->seg_boundary_mask, c->align, c->iommu);
	return 0;
}
EXPORT_SYMBOL_GPL(cenalloc_declare_constraints);

void cenalloc_forget_constraints(struct device *dev)
{
	dev_info(dev, "stub: forgotten\n");
}
EXPORT_SYMBOL_GPL(cenalloc_forget_constraints);

bool cenalloc_is_cenalloc_dmabuf(const struct dma_buf *dmabuf)
{
	return false;
}
EXPORT_SYMBOL_GPL(cenalloc_is_cenalloc_dmabuf);

MODULE_DESCRIPTION("cenalloc driver-API stub for testing cen_importer alone");
MODULE_LICENSE("GPL");
