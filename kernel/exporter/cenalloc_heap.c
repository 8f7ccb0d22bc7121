// SPDX-License-Identifier: GPL-2.0
/*
 * cenalloc_heap.ko: /dev/dma_heap/cenalloc as a real dma-buf heap, with its
 * /sys/class/dma_heap entry, on kernels that export dma_heap_add() (6.18+).
 *
 * The dma-heap core cannot remove a heap, so the module that adds one can
 * never be unloaded.  cenalloc.ko should stay unloadable (for updates, and
 * so that tests can see it give everything back), so the heap lives in
 * this small module instead: it forwards each allocation to the cenalloc.ko
 * that is loaded, and fails with -ENODEV while none is.  It has no exit
 * function, which makes it permanent.
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>

#include "cenalloc_compat.h"
#include "cenalloc_heap.h"

/* The provider, NULL while no cenalloc.ko is loaded. */
static DEFINE_MUTEX(cenalloc_heap_lock);
static const struct cenalloc_heap_provider *cenalloc_heap_provider;

static struct dma_buf *cenalloc_heap_allocate(struct dma_heap *heap,
					      unsigned long len, u32 fd_flags,
					      u64 heap_flags)
{
	const struct cenalloc_heap_provider *p;
	struct dma_buf *dmabuf;

	/*
	 * The module reference keeps @p alive without the lock, which an
	 * allocation (it may sleep long) must not hold: a provider that is
	 * being unloaded refuses it, and one that has it cannot unload.
	 */
	mutex_lock(&cenalloc_heap_lock);
	p = cenalloc_heap_provider;
	if (p && !try_module_get(p->owner))
		p = NULL;
	mutex_unlock(&cenalloc_heap_lock);
	if (!p)
		return ERR_PTR(-ENODEV);
	dmabuf = p->allocate(len, fd_flags, heap_flags);
	module_put(p->owner);
	return dmabuf;
}

static const struct dma_heap_ops cenalloc_heap_ops = {
	.allocate = cenalloc_heap_allocate,
};

/**
 * cenalloc_heap_provide() - serve the heap's allocations from now on.
 * @p: the provider; stays valid until cenalloc_heap_withdraw().
 *
 * Return: 0, or -EBUSY while another provider is registered.
 */
int cenalloc_heap_provide(const struct cenalloc_heap_provider *p)
{
	int ret = 0;

	mutex_lock(&cenalloc_heap_lock);
	if (cenalloc_heap_provider)
		ret = -EBUSY;
	else
		cenalloc_heap_provider = p;
	mutex_unlock(&cenalloc_heap_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(cenalloc_heap_provide);

/**
 * cenalloc_heap_withdraw() - stop serving; allocations fail with -ENODEV.
 * @p: the provider given to cenalloc_heap_provide().
 *
 * Allocations already running hold @p's module, so none is left when its
 * exit function calls this.
 */
void cenalloc_heap_withdraw(const struct cenalloc_heap_provider *p)
{
	mutex_lock(&cenalloc_heap_lock);
	if (cenalloc_heap_provider == p)
		cenalloc_heap_provider = NULL;
	mutex_unlock(&cenalloc_heap_lock);
}
EXPORT_SYMBOL_GPL(cenalloc_heap_withdraw);

static int __init cenalloc_heap_init(void)
{
	struct dma_heap_export_info info = {
		.name = "cenalloc",
		.ops = &cenalloc_heap_ops,
	};

	return PTR_ERR_OR_ZERO(dma_heap_add(&info));
}
module_init(cenalloc_heap_init);

MODULE_DESCRIPTION("cenalloc's dma-buf heap (permanent: heaps cannot be removed)");
MODULE_LICENSE("GPL");
CENALLOC_IMPORT_NS(DMA_BUF_HEAP);
