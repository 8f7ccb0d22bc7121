// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/dma_heap/cenalloc on kernels without real dma-buf heaps for modules
 * (before 6.18, or built without CONFIG_DMABUF_HEAPS): dma_heap_add() is
 * not exported there, so a misc device named into /dev/dma_heap/ gives
 * heap users the same path and ioctl.  Where it is exported,
 * cenalloc_heap_provider.c serves a real heap instead (Kbuild picks one).
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>
#include <uapi/linux/dma-heap.h>

#include "cenalloc_internal.h"

static int cenalloc_heap_out(unsigned long arg, const void *k, size_t ksize,
			     unsigned int cmd)
{
	return copy_to_user((void __user *)arg, k,
			    _IOC_DIR(cmd) & _IOC_READ ?
			    min_t(size_t, _IOC_SIZE(cmd), ksize) : 0) ?
	       -EFAULT : 0;
}

/*
 * DMA_HEAP_IOCTL_ALLOC with the dma-heap core's rules: the struct size in
 * the command may be older or newer, unknown fd or heap flags are -EINVAL,
 * a non-zero fd on input is -EINVAL, an unknown command is -ENOTTY.
 */
static long cenalloc_heap_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	struct dma_heap_allocation_data d = {};
	size_t usize = _IOC_SIZE(cmd);
	LIST_HEAD(none);
	long ret;

	if (_IOC_TYPE(cmd) != DMA_HEAP_IOC_MAGIC ||
	    _IOC_NR(cmd) != _IOC_NR(DMA_HEAP_IOCTL_ALLOC))
		return _IOC_NR(cmd) > _IOC_NR(DMA_HEAP_IOCTL_ALLOC) &&
		       _IOC_TYPE(cmd) == DMA_HEAP_IOC_MAGIC ? -EINVAL : -ENOTTY;
	/* The new fd must reach the caller, or it is installed for nobody. */
	if (!(_IOC_DIR(cmd) & _IOC_READ) ||
	    usize < offsetofend(struct dma_heap_allocation_data, fd))
		return -EINVAL;
	if (_IOC_DIR(cmd) & _IOC_WRITE &&
	    copy_from_user(&d, (void __user *)arg, min(usize, sizeof(d))))
		return -EFAULT;
	if (d.fd || d.fd_flags & ~DMA_HEAP_VALID_FD_FLAGS ||
	    d.heap_flags & ~DMA_HEAP_VALID_HEAP_FLAGS)
		return -EINVAL;
	if (!d.len)
		return -EINVAL;
	ret = cenalloc_create_fd(d.len, 0, d.fd_flags, NULL, &none, 0, &d,
				 sizeof(d), cmd, arg, (s32 *)&d.fd, NULL,
				 cenalloc_heap_out);
	return ret;
}

static const struct file_operations cenalloc_heap_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = cenalloc_heap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* Root only, like the real heaps' nodes (docs/security.md). */
static struct miscdevice cenalloc_heap_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "cenalloc-heap",
	.nodename = "dma_heap/cenalloc",
	.fops = &cenalloc_heap_fops,
	.mode = 0600,
};

/**
 * cenalloc_heap_face_init() - register /dev/dma_heap/cenalloc.
 *
 * Return: 0 or misc_register()'s error.
 */
int cenalloc_heap_face_init(void)
{
	return misc_register(&cenalloc_heap_misc);
}

/**
 * cenalloc_heap_face_exit() - remove /dev/dma_heap/cenalloc.
 */
void cenalloc_heap_face_exit(void)
{
	misc_deregister(&cenalloc_heap_misc);
}
