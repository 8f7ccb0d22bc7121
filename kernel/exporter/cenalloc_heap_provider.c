// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/dma_heap/cenalloc where the kernel has real dma-buf heaps: the heap
 * is cenalloc_heap.ko's (see cenalloc_heap.c), its allocations come here.
 * A heap user gives no constraints: the buffer's importers do, when they
 * attach, as with CENALLOC_IOC_CREATE without hints.
 */
#include <linux/dma-buf.h>
#include <linux/module.h>

#include "cenalloc_heap.h"
#include "cenalloc_internal.h"

static struct dma_buf *cenalloc_heap_create(unsigned long len, u32 fd_flags,
					    u64 heap_flags)
{
	LIST_HEAD(none);

	return cenalloc_buffer_create(len, 0, fd_flags, NULL, &none, 0);
}

static const struct cenalloc_heap_provider cenalloc_heap_self = {
	.owner = THIS_MODULE,
	.allocate = cenalloc_heap_create,
};

/**
 * cenalloc_heap_face_init() - serve /dev/dma_heap/cenalloc.
 *
 * Return: 0, or -EBUSY when another cenalloc serves it.
 */
int cenalloc_heap_face_init(void)
{
	return cenalloc_heap_provide(&cenalloc_heap_self);
}

/**
 * cenalloc_heap_face_exit() - stop serving /dev/dma_heap/cenalloc.
 */
void cenalloc_heap_face_exit(void)
{
	cenalloc_heap_withdraw(&cenalloc_heap_self);
}
