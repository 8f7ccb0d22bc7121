/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a V4L2 or DRM driver calls to tell cenalloc about
 * its device.  In-tree this would be include/linux/cenalloc.h.
 */
#ifndef CENALLOC_API_H
#define CENALLOC_API_H

#include <linux/device.h>

struct dma_buf;
#include "../constraints/cen_constraints.h"

int cenalloc_declare_constraints(struct device *dev,
				 const struct cen_constraints *c);
void cenalloc_forget_constraints(struct device *dev);
bool cenalloc_is_cenalloc_dmabuf(const struct dma_buf *dmabuf);

#endif /* CENALLOC_API_H */
