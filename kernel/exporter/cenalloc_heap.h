/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between cenalloc_heap.ko, which holds the real dma-buf heap
 * /dev/dma_heap/cenalloc, and cenalloc.ko, which serves its allocations.
 */
#ifndef CENALLOC_HEAP_H
#define CENALLOC_HEAP_H

#include <linux/types.h>

struct dma_buf;
struct module;

/**
 * struct cenalloc_heap_provider - what serves the heap's allocations.
 * @owner: the module @allocate is in; held while it runs.
 * @allocate: a dma-buf of @len bytes for DMA_HEAP_IOCTL_ALLOC, whose
 *	fd and heap flags the dma-heap core has checked, or an ERR_PTR.
 */
struct cenalloc_heap_provider {
	struct module *owner;
	struct dma_buf *(*allocate)(unsigned long len, u32 fd_flags,
				    u64 heap_flags);
};

int cenalloc_heap_provide(const struct cenalloc_heap_provider *p);
void cenalloc_heap_withdraw(const struct cenalloc_heap_provider *p);

#endif /* CENALLOC_HEAP_H */
